import {
  event,
  type AdPlacementDoc,
  type AdTopUpApproved,
  type EventEnvelope,
  type Handlers,
  type ShopInfo,
} from '@baedal/contracts';
import { appendToOutbox } from '@baedal/events';
import { chargeFee, reversal, topUp } from './domain/ledger';
import { isRunning } from './domain/placement';
import { openListFee } from './domain/pricing';
import { contractTable, lockWallet, markWalletState, post } from './ledger';
import type { Prisma, PrismaClient } from '@baedal/prisma/ads';

/*
 * Ads publishes ad.placement.changed (every running or scheduled placement
 * of a shop, at the shop's ad version) and consumes shop events to know who
 * owns each shop, payments' approved top-ups and refunds, and delivered
 * orders (OPEN_LIST fees) to keep the ad wallets (docs/ads.md).
 */

type Tx = Prisma.TransactionClient;

async function placementsOf(tx: Tx, shopId: string, now: Date): Promise<AdPlacementDoc[]> {
  // A wallet below zero pauses OPEN_LIST until a top-up.
  const paused = (await tx.adWallet.findUnique({ where: { shopId } }))?.belowZero ?? false;
  const campaigns = await tx.adCampaign.findMany({
    where: {
      shopId,
      status: { not: 'ENDED' },
      endsAt: { gt: now },
      ...(paused ? { product: { not: 'OPEN_LIST' as const } } : {}),
    },
    orderBy: { startsAt: 'asc' },
  });
  return campaigns.map((c) => ({
    campaignId: c.id,
    area: c.area,
    product: c.product,
    startsAt: c.startsAt.toISOString(),
    endsAt: c.endsAt.toISOString(),
    bookedAt: c.createdAt.toISOString(),
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
    data: { ownerId: info.ownerId, category: info.category, version },
  });
}

/** After a wallet posting: a wallet that crossed zero pauses or resumes OPEN_LIST, in the placements shops reads. */
async function afterWalletPosting(tx: Tx, shopId: string): Promise<void> {
  if (await markWalletState(tx, shopId)) await publishPlacements(tx, shopId);
}

/** Money payments charged for a shop's wallet, credited once (the entry's id is the top-up's). */
async function creditTopUp(tx: Tx, { topUpId, shopId, amount }: AdTopUpApproved): Promise<void> {
  await lockWallet(tx, shopId);
  await post(tx, topUp(`topup:${topUpId}`, shopId, amount), { shopId, kind: 'TOP_UP' });
  await afterWalletPosting(tx, shopId);
}

/**
 * The OPEN_LIST fee of a delivered order, when the shop had OPEN_LIST running (and not paused) in the
 * order's area as it was delivered: priced by the contract's table, from the items total before any
 * coupon. Charged once per order, and never after the order's refund was heard. A fee cannot be
 * refused, so it may take the wallet below zero.
 */
async function chargeOpenListFee(tx: Tx, e: EventEnvelope<'order.delivered'>): Promise<void> {
  const { orderId, shopId, itemsTotal, deliveryArea } = e.payload;
  const first = await tx.$executeRaw`
    INSERT INTO "OrderFee" ("orderId", "shopId") VALUES (${orderId}, ${shopId}) ON CONFLICT DO NOTHING`;
  if (!first) return;
  const deliveredAt = new Date(e.occurredAt);
  const campaigns = await tx.adCampaign.findMany({ where: { shopId, product: 'OPEN_LIST', area: deliveryArea } });
  const contract = campaigns.find((c) => isRunning(c, deliveredAt));
  if (!contract) return;
  // A wallet below zero has OPEN_LIST paused: its balance, read under the lock, says so.
  if ((await lockWallet(tx, shopId)) < 0) return;
  const fee = openListFee(await contractTable(tx, contract.priceVersion, deliveredAt), itemsTotal);
  await post(tx, chargeFee(`fee:${orderId}`, shopId, fee), { shopId, kind: 'FEE', campaignId: contract.id });
  await afterWalletPosting(tx, shopId);
}

/** A refunded order's fee, given back once; a delivery heard after the refund charges none. */
async function reverseOpenListFee(tx: Tx, e: EventEnvelope<'payment.refunded'>): Promise<void> {
  const { orderId } = e.payload;
  await tx.$executeRaw`
    INSERT INTO "OrderFee" ("orderId", "refunded") VALUES (${orderId}, true)
    ON CONFLICT ("orderId") DO UPDATE SET "refunded" = true`;
  const fee = await tx.journalEntry.findUnique({ where: { id: `fee:${orderId}` }, include: { postings: true } });
  if (!fee) return;
  await lockWallet(tx, fee.shopId);
  await post(tx, reversal(`fee-reversal:${orderId}`, fee), {
    shopId: fee.shopId,
    kind: 'FEE_REVERSAL',
    campaignId: fee.campaignId,
  });
  await afterWalletPosting(tx, fee.shopId);
}

/** Consumer "ads". */
export const ownership: Handlers<Tx> = {
  'payment.adTopUp.approved': (e, tx) => creditTopUp(tx, e.payload),
  'order.delivered': (e, tx) => chargeOpenListFee(tx, e),
  'payment.refunded': (e, tx) => reverseOpenListFee(tx, e),
  'shop.registered': (e, tx) => recordOwner(tx, e.payload, e.version),
  'shop.updated': (e, tx) => recordOwner(tx, e.payload, e.version),
  'shop.opened': (e, tx) => recordOwner(tx, e.payload, e.version),
  'shop.closed': (e, tx) => recordOwner(tx, e.payload, e.version),
};
