import { event, type AdPlacementDoc, type AdTopUpApproved, type Handlers, type ShopInfo } from '@baedal/contracts';
import { appendToOutbox } from '@baedal/events';
import { topUp } from './domain/ledger';
import { post } from './ledger';
import type { Prisma, PrismaClient } from '@baedal/prisma/ads';

/*
 * Ads publishes ad.placement.changed (every running or scheduled placement
 * of a shop, at the shop's ad version) and consumes shop events to know who
 * owns each shop, and payments' approved top-ups to credit ad wallets.
 */

type Tx = Prisma.TransactionClient;

async function placementsOf(tx: Tx, shopId: string, now: Date): Promise<AdPlacementDoc[]> {
  const campaigns = await tx.adCampaign.findMany({
    where: { shopId, status: { not: 'ENDED' }, endsAt: { gt: now } },
    orderBy: { startsAt: 'asc' },
  });
  return campaigns.map((c) => ({
    campaignId: c.id,
    area: c.area,
    product: c.product,
    startsAt: c.startsAt.toISOString(),
    endsAt: c.endsAt.toISOString(),
  }));
}

/** Bumps the shop's ad version and records its placements in the outbox, in the caller's transaction. */
export async function publishPlacements(tx: Tx, shopId: string, now = new Date()) {
  const [state] = await tx.$queryRaw<{ version: number }[]>`
    INSERT INTO "ShopAdState" ("shopId", "version") VALUES (${shopId}, 1)
    ON CONFLICT ("shopId") DO UPDATE SET "version" = "ShopAdState"."version" + 1 RETURNING "version"`;
  return appendToOutbox(tx, [
    event('ad.placement.changed', shopId, state.version, { shopId, placements: await placementsOf(tx, shopId, now) }),
  ]);
}

/** Publishes the placements of every shop that has campaigns, for rebuilding projections. */
export async function publishSnapshots(db: PrismaClient, batchSize = 200): Promise<number> {
  const shops = await db.adCampaign.findMany({
    distinct: ['shopId'],
    select: { shopId: true },
    orderBy: { shopId: 'asc' },
  });
  for (let i = 0; i < shops.length; i += batchSize) {
    await db.$transaction(async (tx) => {
      for (const { shopId } of shops.slice(i, i + batchSize)) await publishPlacements(tx, shopId);
    });
  }
  return shops.length;
}

async function recordOwner(tx: Tx, info: ShopInfo, version: number): Promise<void> {
  await tx.$executeRaw`INSERT INTO "ShopOwner" ("shopId", "ownerId", "version") VALUES (${info.shopId}, ${info.ownerId}, 0) ON CONFLICT DO NOTHING`;
  await tx.shopOwner.updateMany({
    where: { shopId: info.shopId, version: { lt: version } },
    data: { ownerId: info.ownerId, version },
  });
}

/** Money payments charged for a shop's wallet, credited once (the entry's id is the top-up's). */
async function creditTopUp(tx: Tx, payload: AdTopUpApproved): Promise<void> {
  await post(tx, topUp(`topup:${payload.topUpId}`, payload.shopId, payload.amount), {
    shopId: payload.shopId,
    kind: 'TOP_UP',
  });
}

/** Consumer "ads". */
export const ownership: Handlers<Tx> = {
  'payment.adTopUp.approved': (e, tx) => creditTopUp(tx, e.payload),
  'shop.registered': (e, tx) => recordOwner(tx, e.payload, e.version),
  'shop.updated': (e, tx) => recordOwner(tx, e.payload, e.version),
  'shop.opened': (e, tx) => recordOwner(tx, e.payload, e.version),
  'shop.closed': (e, tx) => recordOwner(tx, e.payload, e.version),
};
