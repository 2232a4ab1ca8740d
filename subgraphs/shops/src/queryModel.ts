import { NO_AD, parseOpeningHours, type AdPlacementDoc, type MenuGroupDoc, type ShopInfo } from '@baedal/contracts';
import type { ShopView } from '@baedal/prisma/shops';
import { planEachTime, type RawSql } from '@baedal/prisma/clients';
import { SORTS, type ListingSource, type ShopSort } from './domain/listing';

/*
 * The customer reads of the query model: ShopView (one document per shop)
 * and ShopListing (ranking keys per area). They go straight through the
 * driver (sql in db.ts): docs/adr/0001-raw-sql-hot-path.md. The projection
 * (projection.ts) writes both, from events.
 */

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
export type SummaryRow = Pick<ShopView, (typeof SUMMARY_FIELDS)[number]>;

export function docFromView(view: SummaryRow & { menu?: ShopView['menu'] }): ShopDoc {
  return {
    ...view,
    menu: view.menu as unknown as MenuGroupDoc[] | undefined,
    adPlacements: view.adPlacements as unknown as AdPlacementDoc[],
  };
}

/** What the listing rules read of a shop's view: its document, with its opening hours parsed. */
export function listingSource(view: SummaryRow): ListingSource {
  return { ...docFromView(view), openingHours: parseOpeningHours(view.openingHours) };
}

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
