import { parseOpeningHours } from '@baedal/platform';
import type { AdPlacementDoc, MenuGroupDoc, MenuSnapshot, ReviewStats, ShopInfo } from '@baedal/events';
import type { Prisma, ShopView } from '@baedal/prisma/shops';
import { planEachTime, type RawSql } from '@baedal/prisma/clients';
import { listingRows, nextKeyChange, NO_AD, SORTS, type ListingSource, type ShopSort } from './domain/listing';

/*
 * The customer query model: ShopView (one document per shop) and ShopListing
 * (ranking keys per area). Reads serve the customer queries; writes come only
 * from the projection (events.ts), inside the consumer's transaction.
 */

type Tx = Prisma.TransactionClient;

/** The shape every Shop field resolver reads, whether it came from the query model or a command. */
/** A Shop as its field resolvers read it: its terms (as events carry them), plus menu, ads and rating; `menu` is absent on list summaries and loaded on demand. */
export interface ShopDoc extends Omit<ShopInfo, 'openingHours'> {
  openingHours: unknown;
  menu?: MenuGroupDoc[];
  adPlacements: AdPlacementDoc[];
  reviewCount: number;
  ratingSum: number;
}

/** The ShopView columns a summary holds (all but the menu, the search text and bookkeeping). */
const SUMMARY_FIELDS = [
  'shopId',
  'ownerId',
  'name',
  'category',
  'description',
  'minimumOrder',
  'deliveryFee',
  'deliveryAreas',
  'openingHours',
  'isOpen',
  'adPlacements',
  'reviewCount',
  'ratingSum',
] as const;
type SummaryRow = Pick<ShopView, (typeof SUMMARY_FIELDS)[number]>;

export function docFromView(view: SummaryRow & { menu?: ShopView['menu'] }): ShopDoc {
  return {
    ...view,
    menu: view.menu as unknown as MenuGroupDoc[] | undefined,
    adPlacements: view.adPlacements as unknown as AdPlacementDoc[],
  };
}

/** What the listing rules read of a shop's view: its document, with its opening hours parsed. */
function listingSource(view: SummaryRow): ListingSource {
  return { ...docFromView(view), openingHours: parseOpeningHours(view.openingHours) };
}

// ---- reads ----

export interface ListPage {
  shops: ShopDoc[];
  /** Sort key of each shop on the page, for cursors. */
  keys: unknown[][];
  hasNextPage: boolean;
}

export interface ListArgs {
  area: string;
  category?: string | null;
  sort: ShopSort;
  first: number;
  after?: unknown[] | null;
  /** Only shops with a running ad placement in the area (the home screen). */
  advertisedOnly?: boolean;
}

const SUMMARY_COLUMNS = SUMMARY_FIELDS.map((c) => `v."${c}"`).join(', ');

/** Every listed shop's summary. */
const SUMMARIES_SQL = `SELECT ${SUMMARY_COLUMNS} FROM "ShopView" v WHERE v."infoVersion" > 0`;

/** Shops' summaries by id, for search and entity references. */
export function summariesById(db: RawSql, ids: readonly string[]): Promise<SummaryRow[]> {
  return db.$queryRawUnsafe<SummaryRow[]>(`${SUMMARIES_SQL} AND v."shopId" = ANY($1)`, [...ids]);
}

/** Shops' pages by id ($1): the summary and the menu (not the search text and its pieces, the largest columns after the menu). */
export const DOCUMENTS_SQL = `SELECT ${SUMMARY_COLUMNS}, v."menu" FROM "ShopView" v WHERE v."infoVersion" > 0 AND v."shopId" = ANY($1)`;

export function documentsById(db: RawSql, ids: readonly string[]): Promise<(SummaryRow & Pick<ShopView, 'menu'>)[]> {
  return db.$queryRawUnsafe<(SummaryRow & Pick<ShopView, 'menu'>)[]>(DOCUMENTS_SQL, [...ids]);
}

/**
 * The one list query: an index range scan of ShopListing in the sort's order
 * (after `after`, a previous row's key), joined to each shop's summary, so a
 * page is one round trip. Fetches one row more than `first` to tell whether
 * another page follows.
 */
export function listQuery(args: ListArgs): { sql: string; values: unknown[] } {
  const columns = SORTS[args.sort].map((c) => `l."${c}"`);
  const values: unknown[] = [args.area];
  const where = ['l."area" = $1'];
  if (args.category) {
    values.push(args.category);
    where.push(`l."category" = $${values.length}`);
  }
  if (args.advertisedOnly) where.push(`l."adRank" < ${NO_AD}`);
  if (args.after) {
    const placeholders = args.after.map((value) => {
      values.push(value);
      return `$${values.length}`;
    });
    where.push(`(${columns.join(', ')}) > (${placeholders.join(', ')})`);
  }
  values.push(args.first + 1);
  const keys = columns.map((c, i) => `${c} AS "key${i}"`).join(', ');
  return {
    sql: `SELECT ${keys}, ${SUMMARY_COLUMNS} FROM "ShopListing" l JOIN "ShopView" v ON v."shopId" = l."shopId"
          WHERE ${where.join(' AND ')} ORDER BY ${columns.join(', ')} LIMIT $${values.length}`,
    values,
  };
}

export async function listShops(db: RawSql, args: ListArgs): Promise<ListPage> {
  const { sql, values } = listQuery(args);
  const rows = await db.$queryRawUnsafe<(SummaryRow & Record<string, unknown>)[]>(sql, ...values);
  const page = rows.slice(0, args.first);
  const width = SORTS[args.sort].length;
  return {
    shops: page.map((row) => docFromView(row)),
    keys: page.map((row) => Array.from({ length: width }, (_, i) => row[`key${i}`])),
    hasNextPage: rows.length > args.first,
  };
}

/**
 * Shops whose name or menu contains the words; name matches first, then the most reviewed. Two parts, each
 * ranked by itself: shops whose name has the words, then shops whose menu alone has them. Each finds its
 * candidates by the two-character pieces of the words (nameGrams, searchGrams: the trigram index cannot
 * serve words of two characters, most Korean dish names) and ILIKE checks them, or, for a word many shops
 * have, walks the shops from the most reviewed and stops at a page of matches, instead of checking and
 * ranking thousands (the planner picks by how many shops have the words, so each search is planned for its words).
 */
export const SEARCH_SQL = planEachTime(`
  (SELECT "shopId", true AS "inName", "reviewCount" FROM "ShopView"
    WHERE "infoVersion" > 0 AND "nameGrams" @> search_bigrams($4) AND "name" ILIKE $1
      AND ($2::text IS NULL OR "deliveryAreas" @> ARRAY[$2::text])
    ORDER BY "reviewCount" DESC, "shopId" LIMIT $3)
  UNION ALL
  (SELECT "shopId", false, "reviewCount" FROM "ShopView"
    WHERE "infoVersion" > 0 AND "searchGrams" @> search_bigrams($4) AND "searchText" ILIKE $1 AND "name" NOT ILIKE $1
      AND ($2::text IS NULL OR "deliveryAreas" @> ARRAY[$2::text])
    ORDER BY "reviewCount" DESC, "shopId" LIMIT $3)
  ORDER BY "inName" DESC, "reviewCount" DESC, "shopId" LIMIT $3`);

export async function searchShopIds(db: RawSql, words: string, area: string | null, first: number): Promise<string[]> {
  const pattern = `%${words.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await db.$queryRawUnsafe<{ shopId: string }[]>(SEARCH_SQL, pattern, area, first, words);
  return rows.map((r) => r.shopId);
}

// ---- projection writes ----

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
 * 20,000 shops, every 30 s, which stalled the consumers: docs/benchmarks.md).
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
