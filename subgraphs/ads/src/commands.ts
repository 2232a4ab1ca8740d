import { randomUUID } from 'node:crypto';
import { DELIVERY_AREAS } from '@baedal/contracts';
import { DomainError, notFound, type Identity } from '@baedal/platform';
import type { AdCampaign, AdProduct, Prisma } from '@baedal/prisma/ads';
import { adsConfig } from './config';
import { db } from './db';
import { requireAdvertiser, requireOwnShop, requirePriceSetter } from './domain/access';
import { newPlacementPeriod, overlaps, slotRefusal, spendRefusal, usedDays } from './domain/placement';
import { contractPrice, validatePriceTable, type NewPriceTable, type PriceTable } from './domain/pricing';
import { publishPlacements } from './events';
import { closeContract, holdPrice, lockWallet, markWalletState, priceTableAt, settleThrough } from './ledger';

type Tx = Prisma.TransactionClient;

/** Checks ownership against ads' own record of shop owners, kept from shop events. */
async function requireOwnedShop(identity: Identity, shopId: string): Promise<void> {
  const ownerId = requireAdvertiser(identity);
  const shop = await db.shopOwner.findUnique({ where: { shopId } });
  if (!shop) throw notFound('Shop', shopId);
  requireOwnShop(shop, ownerId);
}

export interface StartAdPlacementInput {
  shopId: string;
  product: AdProduct;
  area: string;
  days: number;
  startsAt?: Date | null;
}

/**
 * Refuses an ULTRA_CALL placement the slot rule leaves no slot for (domain/placement.ts), under a lock
 * of the area and category, so concurrent starts for different shops never book more than the slots.
 */
async function requireFreeSlot(tx: Tx, shopId: string, area: string, period: { startsAt: Date; endsAt: Date }) {
  const category = (await tx.shopOwner.findUnique({ where: { shopId } }))?.category ?? null;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`ad-slots:${area}:${category}`}))`;
  const sameCategory = await tx.shopOwner.findMany({ where: { category }, select: { shopId: true } });
  const booked = await tx.adCampaign.findMany({
    where: {
      shopId: { in: sameCategory.map((s) => s.shopId) },
      area,
      product: 'ULTRA_CALL',
      status: { not: 'ENDED' },
      endsAt: { gt: period.startsAt },
      startsAt: { lt: period.endsAt },
    },
    select: { startsAt: true, endsAt: true },
  });
  const refused = slotRefusal(booked, period, adsConfig().ADS_ULTRA_CALL_SLOTS, { area, category });
  if (refused) throw refused;
}

/**
 * Starts (or schedules) a placement: priced by the table in force now, its price held out of the
 * shop's wallet under the wallet's lock, so concurrent starts never spend the same won twice.
 */
export async function startAdPlacement(identity: Identity, input: StartAdPlacementInput): Promise<AdCampaign> {
  await requireOwnedShop(identity, input.shopId);
  const now = new Date();
  const period = newPlacementPeriod(input.days, now, input.startsAt);
  return db.$transaction(async (tx) => {
    const balance = await lockWallet(tx, input.shopId);
    const live = await tx.adCampaign.findMany({
      where: { shopId: input.shopId, area: input.area, status: { not: 'ENDED' }, endsAt: { gt: now } },
    });
    if (live.some((c) => overlaps(c, period))) {
      throw new DomainError(
        'CONFLICT',
        `This shop already has a placement in ${input.area} for part of that period; end it first`,
        { field: 'area' },
      );
    }
    if (input.product === 'ULTRA_CALL') await requireFreeSlot(tx, input.shopId, input.area, period);
    const table = await priceTableAt(tx, now);
    const price = contractPrice(table, input.product, input.area, input.days);
    const refused = spendRefusal(balance, price);
    if (refused) throw refused;
    const campaign = await tx.adCampaign.create({
      data: {
        id: randomUUID(),
        shopId: input.shopId,
        product: input.product,
        area: input.area,
        ...period,
        price,
        priceVersion: table.version,
        days: input.days,
      },
    });
    await holdPrice(tx, campaign);
    await publishPlacements(tx, input.shopId, now);
    return campaign;
  });
}

/** Ends a placement now: the days begun are charged, the rest of its price goes back to the wallet. */
export async function endAdPlacement(identity: Identity, campaignId: string): Promise<AdCampaign> {
  const existing = await db.adCampaign.findUnique({ where: { id: campaignId } });
  if (!existing) throw notFound('Ad campaign', campaignId);
  await requireOwnedShop(identity, existing.shopId);
  return db.$transaction(async (tx) => {
    await lockWallet(tx, existing.shopId);
    const now = new Date();
    // Read again under the lock: two ends at once refund once.
    const current = await tx.adCampaign.findUniqueOrThrow({ where: { id: campaignId } });
    if (current.status === 'ENDED') throw new DomainError('CONFLICT', 'This placement has already ended');
    const campaign = await tx.adCampaign.update({
      where: { id: campaignId },
      // Ended before it began (a scheduled one), its period is empty.
      data: { status: 'ENDED', endsAt: new Date(Math.max(+current.startsAt, Math.min(+now, +current.endsAt))) },
    });
    if (current.days) await closeContract(tx, current, usedDays(current, current.days, now));
    // What came back may lift a wallet that fees took below zero (OPEN_LIST resumes with the placements below).
    await markWalletState(tx, current.shopId);
    await publishPlacements(tx, campaign.shopId, now);
    return campaign;
  });
}

/**
 * The daily settlement: each priced contract's days begun by `now` move from what it holds to
 * revenue, and a contract whose period is over is ENDED. Run by the clock once per period across
 * the cluster; a second run at once, or a run after a crash partway, posts nothing twice (each
 * day's entry id), and each contract settles in a transaction of its own.
 */
export async function settleAdDays(now = new Date()): Promise<{ contracts: number; days: number }> {
  const due = await db.adCampaign.findMany({
    where: { price: { gt: 0 }, days: { not: null }, status: { not: 'ENDED' }, startsAt: { lte: now } },
    orderBy: { id: 'asc' },
  });
  let days = 0;
  for (const contract of due) {
    days += await db.$transaction(async (tx) => {
      const posted = await settleThrough(tx, contract, usedDays(contract, contract.days!, now));
      if (now >= contract.endsAt)
        await tx.adCampaign.updateMany({
          where: { id: contract.id, status: { not: 'ENDED' } },
          data: { status: 'ENDED' },
        });
      return posted;
    });
  }
  return { contracts: due.length, days };
}

/** Publishes the next price table version, for contracts made from its start on. */
export async function publishAdPriceTable(identity: Identity, table: NewPriceTable): Promise<PriceTable> {
  requirePriceSetter(identity);
  validatePriceTable(table, DELIVERY_AREAS, new Date());
  return db.$transaction(async (tx) => {
    // Versions are numbered in order: one publisher at a time.
    await tx.$executeRaw`LOCK TABLE "AdPriceTable" IN EXCLUSIVE MODE`;
    const latest = await tx.adPriceTable.aggregate({ _max: { version: true } });
    const version = (latest._max.version ?? 0) + 1;
    await tx.adPriceTable.create({
      data: {
        version,
        effectiveFrom: table.effectiveFrom,
        ultraCallPer30Days: table.ultraCallPer30Days,
        openListBasisPoints: table.openList.basisPoints,
        openListFloorWon: table.openList.floorWon,
      },
    });
    return { version, ...table };
  });
}
