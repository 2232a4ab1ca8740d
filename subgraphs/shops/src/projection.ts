import type { AdPlacementDoc, MenuGroupDoc, MenuSnapshot, ReviewStats, ShopInfo } from '@baedal/contracts';
import type { Prisma } from '@baedal/prisma/shops';
import type { RawSql } from '@baedal/prisma/clients';
import { listingRows, nextKeyChange } from './domain/listing';
import { listingSource, summariesById } from './queryModel';

/*
 * The projection's writes to the customer query model, inside the consumer's
 * transaction (events.ts maps each event to one of these), and the clock's
 * refresh of the keys that change with time.
 */

type Tx = Prisma.TransactionClient;

/** An empty document for the shop unless it has one; ON CONFLICT so concurrent events of one shop cannot both insert. */
function ensureView(tx: Tx, shopId: string) {
  return tx.$executeRaw`INSERT INTO "ShopView" ("shopId") VALUES (${shopId}) ON CONFLICT DO NOTHING`;
}

function searchTextOf(name: string, menu: MenuGroupDoc[]): string {
  return [name, ...menu.flatMap((g) => g.items.map((i) => i.name))].join(' ');
}

/** Rewrites the shop's ShopListing rows from its ShopView row; a shop without its info yet is not listed. */
export async function refreshListing(tx: Tx, shopId: string, now = new Date()): Promise<void> {
  const view = await tx.shopView.findUnique({ where: { shopId } });
  await tx.shopListing.deleteMany({ where: { shopId } });
  if (!view || view.infoVersion === 0) return;
  const source = listingSource(view);
  const rows = listingRows(source, now);
  if (rows.length) await tx.shopListing.createMany({ data: rows });
  const openNow = rows[0]?.closedRank === 0;
  const keysChangeAt = nextKeyChange(source, now);
  if (view.openNow !== openNow || view.keysChangeAt?.getTime() !== keysChangeAt?.getTime()) {
    await tx.shopView.update({ where: { shopId }, data: { openNow, keysChangeAt } });
  }
}

/*
 * Each apply* writes one part of the document only if its version is newer
 * than the one applied, so duplicates and reordered events leave it right.
 * It returns whether anything changed.
 */

export async function applyShopInfo(tx: Tx, info: ShopInfo, version: number): Promise<boolean> {
  await ensureView(tx, info.shopId);
  const { menu } = await tx.shopView.findUniqueOrThrow({ where: { shopId: info.shopId }, select: { menu: true } });
  const { count } = await tx.shopView.updateMany({
    where: { shopId: info.shopId, infoVersion: { lt: version } },
    data: {
      ownerId: info.ownerId,
      name: info.name,
      category: info.category,
      description: info.description,
      minimumOrder: info.minimumOrder,
      deliveryFee: info.deliveryFee,
      deliveryAreas: info.deliveryAreas,
      openingHours: info.openingHours as unknown as Prisma.InputJsonValue,
      isOpen: info.isOpen,
      infoVersion: version,
      searchText: searchTextOf(info.name, menu as unknown as MenuGroupDoc[]),
    },
  });
  if (count === 0) return false;
  await refreshListing(tx, info.shopId);
  return true;
}

export async function applyMenu(tx: Tx, menu: MenuSnapshot, version: number): Promise<boolean> {
  await ensureView(tx, menu.shopId);
  const view = await tx.shopView.findUniqueOrThrow({ where: { shopId: menu.shopId } });
  const { count } = await tx.shopView.updateMany({
    where: { shopId: menu.shopId, menuVersion: { lt: version } },
    data: {
      menu: menu.groups as unknown as Prisma.InputJsonValue,
      menuVersion: version,
      searchText: searchTextOf(view.name, menu.groups),
    },
  });
  return count > 0;
}

export async function applyAdPlacements(
  tx: Tx,
  shopId: string,
  placements: AdPlacementDoc[],
  version: number,
): Promise<boolean> {
  await ensureView(tx, shopId);
  const { count } = await tx.shopView.updateMany({
    where: { shopId, adVersion: { lt: version } },
    data: { adPlacements: placements as unknown as Prisma.InputJsonValue, adVersion: version },
  });
  if (count > 0) await refreshListing(tx, shopId);
  return count > 0;
}

export async function applyReviewStats(tx: Tx, stats: ReviewStats, version: number): Promise<boolean> {
  await ensureView(tx, stats.shopId);
  const { count } = await tx.shopView.updateMany({
    where: { shopId: stats.shopId, ratingVersion: { lt: version } },
    data: { reviewCount: stats.reviewCount, ratingSum: stats.ratingSum, ratingVersion: version },
  });
  if (count > 0) await refreshListing(tx, stats.shopId);
  return count > 0;
}

/** Counts placed orders towards their shops' popularity, in one statement however many (raw: see projectionTransaction). */
export async function countOrders(tx: RawSql, shopIds: string[]): Promise<void> {
  // An order can be counted before the shop's own events have made its view. Shops in id order: no deadlocks.
  await tx.$executeRawUnsafe(
    `INSERT INTO "ShopView" ("shopId", "orderCount")
     SELECT "shopId", count(*) FROM unnest($1::text[]) AS placed("shopId") GROUP BY "shopId" ORDER BY "shopId"
     ON CONFLICT ("shopId") DO UPDATE
       SET "orderCount" = "ShopView"."orderCount" + EXCLUDED."orderCount", "updatedAt" = now() AT TIME ZONE 'UTC'`,
    shopIds,
  );
}

/** The shops whose listing keys the clock has changed by $1 (an ISO time), soonest first. */
export const CLOCK_DUE_SQL = `SELECT "shopId" FROM "ShopView" WHERE "keysChangeAt" <= $1::timestamptz AT TIME ZONE 'UTC' AND "infoVersion" > 0 ORDER BY "keysChangeAt"`;

/**
 * Open-now and running ad placements change with the clock, not only with
 * events. Each shop's next such moment is kept (`keysChangeAt`, written by
 * refreshListing), and this looks only at the shops whose moment has come,
 * found by an index: their keys are recomputed, the rows of those whose keys
 * differ are rewritten, and the rest get their next moment, a thousand shops
 * at a time with the event loop given back between. Returns how many shops'
 * rows it rewrote. It shares a workers process with the consumers, and it
 * used to recompute every listed shop on every run (1.3 s of the process for
 * 20,000 shops, every 30 s, which stalled the consumers: docs/performance.md, P36).
 */
export async function refreshClockKeys(
  sql: RawSql,
  db: { $transaction: <R>(fn: (tx: Tx) => Promise<R>) => Promise<R> },
  now = new Date(),
): Promise<number> {
  const due = (await sql.$queryRawUnsafe<{ shopId: string }[]>(CLOCK_DUE_SQL, now.toISOString())).map(
    (row) => row.shopId,
  );
  const key = (r: { area: string; adRank: number; closedRank: number }) => `${r.area}:${r.adRank}:${r.closedRank}`;
  let changed = 0;
  for (let start = 0; start < due.length; start += 1000) {
    if (start > 0) await new Promise((resolve) => setImmediate(resolve));
    const ids = due.slice(start, start + 1000);
    const [views, listings] = await Promise.all([
      summariesById(sql, ids),
      sql.$queryRawUnsafe<{ shopId: string; area: string; adRank: number; closedRank: number }[]>(
        'SELECT "shopId", "area", "adRank", "closedRank" FROM "ShopListing" WHERE "shopId" = ANY($1)',
        ids,
      ),
    ]);
    const current = new Map<string, Set<string>>();
    for (const row of listings) {
      if (!current.has(row.shopId)) current.set(row.shopId, new Set());
      current.get(row.shopId)!.add(key(row));
    }
    const unchanged: { shopId: string; at: string | null }[] = [];
    for (const view of views) {
      const source = listingSource(view);
      const rows = listingRows(source, now);
      const have = current.get(view.shopId) ?? new Set<string>();
      if (have.size === rows.length && rows.every((r) => have.has(key(r)))) {
        unchanged.push({ shopId: view.shopId, at: nextKeyChange(source, now)?.toISOString() ?? null });
        continue;
      }
      await db.$transaction((tx) => refreshListing(tx, view.shopId, now));
      changed++;
    }
    if (unchanged.length) {
      // Only where the moment is still due: an event applied meanwhile has rewritten the rows and set the
      // next moment from newer terms, which this one, from the terms read above, must not overwrite.
      await sql.$executeRawUnsafe(
        `UPDATE "ShopView" v SET "keysChangeAt" = k."at"::timestamptz AT TIME ZONE 'UTC'
           FROM unnest($1::text[], $2::text[]) AS k("shopId", "at")
          WHERE v."shopId" = k."shopId" AND v."keysChangeAt" <= $3::timestamptz AT TIME ZONE 'UTC'`,
        unchanged.map((u) => u.shopId),
        unchanged.map((u) => u.at),
        now.toISOString(),
      );
    }
  }
  return changed;
}
