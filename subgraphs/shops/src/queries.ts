import { CATEGORIES, type DeliveryArea, type MenuGroupDoc } from '@baedal/contracts';
import { badInput, decodeCursor, encodeCursor, notFound, pageSize, type Identity } from '@baedal/platform';
import type { MenuItem, Shop } from '@baedal/prisma/shops';
import { db, sql, type Loaders } from './db';
import { requireShopOwner } from './domain/access';
import { SORTS, type ShopSort } from './domain/listing';
import { docFromView, listShops, searchShopIds, type ShopDoc } from './queryModel';

/*
 * What the shops subgraph reads beyond its loaders: customers' screens from
 * the query model, and an owner's shops from the command tables.
 */

/** The main page for an area: every category's shop count, and the advertised shops. */
export async function homeOf(area: DeliveryArea) {
  const [counts, advertised] = await Promise.all([
    db.areaCategoryCount.findMany({ where: { area } }),
    listShops(sql, { area, sort: 'RECOMMENDED', first: 20, advertisedOnly: true }),
  ]);
  const byCategory = new Map(counts.map((c) => [c.category, c.shopCount]));
  return {
    area,
    categories: CATEGORIES.map((category) => ({ category, shopCount: byCategory.get(category) ?? 0 })),
    advertisedShops: advertised.shops,
  };
}

export interface ShopListArgs {
  area: string;
  category?: string | null;
  sort: ShopSort;
  first: number;
  after?: string | null;
}

/** A page of an area's shops in the sort's order, with a cursor per shop. */
export async function shopPage(args: ShopListArgs) {
  const first = pageSize(args.first);
  const after = decodeCursor(args.after, SORTS[args.sort].length);
  const page = await listShops(sql, { area: args.area, category: args.category, sort: args.sort, first, after });
  const edges = page.shops.map((node, i) => ({ cursor: encodeCursor(page.keys[i]), node }));
  return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
}

const MAX_QUERY_LENGTH = 50;

/** Shops whose name or menu has the words, as summaries (no menu), best first. */
export async function searchShops(args: { query: string; area?: string | null; first: number }, loaders: Loaders) {
  const words = args.query.trim();
  if (words.length === 0 || words.length > MAX_QUERY_LENGTH) {
    throw badInput('query', `query must be 1 to ${MAX_QUERY_LENGTH} characters`);
  }
  const ids = await searchShopIds(sql, words, args.area ?? null, pageSize(args.first));
  const views = await Promise.all(ids.map((id) => loaders.shopSummary.load(id)));
  return views.flatMap((view) => (view ? [docFromView(view)] : []));
}

/** One shop's page with its menu; an unknown id is NOT_FOUND. */
export async function shopPageOf(id: string, loaders: Loaders): Promise<ShopDoc> {
  const view = await loaders.shopView.load(id);
  if (!view) throw notFound('Shop', id);
  return docFromView(view);
}

/**
 * Shops as commands left them: their own terms and menus from the command
 * tables, with rating and ads from the query model; two queries for any number of shops.
 */
export async function shopDocsOf(shops: Shop[]): Promise<ShopDoc[]> {
  const ids = shops.map((shop) => shop.id);
  const [groups, views] = await Promise.all([
    db.menuGroup.findMany({
      where: { shopId: { in: ids } },
      orderBy: [{ position: 'asc' }, { id: 'asc' }],
      include: { items: { orderBy: [{ position: 'asc' }, { id: 'asc' }] } },
    }),
    db.shopView.findMany({ where: { shopId: { in: ids } } }),
  ]);
  return shops.map((shop) => {
    const view = views.find((v) => v.shopId === shop.id);
    return {
      ...shop,
      shopId: shop.id,
      menu: groups.filter((group) => group.shopId === shop.id) as unknown as MenuGroupDoc[],
      adPlacements: view ? docFromView(view).adPlacements : [],
      reviewCount: view?.reviewCount ?? 0,
      ratingSum: view?.ratingSum ?? 0,
    };
  });
}

/** A shop a command just wrote, as a Shop. */
export async function shopDocOf(shop: Shop): Promise<ShopDoc> {
  const [doc] = await shopDocsOf([shop]);
  return doc;
}

/** The signed-in owner's shops by name, as commands left them. */
export async function myShops(identity: Identity): Promise<ShopDoc[]> {
  const ownerId = requireShopOwner(identity);
  return shopDocsOf(await db.shop.findMany({ where: { ownerId }, orderBy: { name: 'asc' } }));
}

/** A menu group's items in display order (a group a command just wrote carries none). */
export function menuItemsOf(groupId: string): Promise<MenuItem[]> {
  return db.menuItem.findMany({ where: { groupId }, orderBy: [{ position: 'asc' }, { id: 'asc' }] });
}
