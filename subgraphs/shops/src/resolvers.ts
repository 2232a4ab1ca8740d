import {
  averageRating,
  badInput,
  CATEGORIES,
  DateTimeScalar,
  DomainError,
  decodeCursor,
  encodeCursor,
  isOpenAt,
  issueToken,
  notFound,
  pageSize,
  parseOpeningHours,
  requireRole,
  verifyPassword,
  type SubgraphContext,
} from '@baedal/platform';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { MenuGroupDoc } from '@baedal/events';
import type { Account, MenuGroup, Shop } from '@baedal/prisma/shops';
import * as commands from './commands';
import { db, sql, type Loaders } from './db';
import { adRankIn, NO_AD, SORTS, type ShopSort } from './domain/listing';
import { docFromView, listShops, searchShopIds, type ShopDoc } from './queryModel';

type Context = SubgraphContext<Loaders>;

/** Shop summaries (no menu) for ids, in the ids' order (one query). */
async function docs(ids: string[], loaders: Loaders): Promise<ShopDoc[]> {
  const views = await Promise.all(ids.map((id) => loaders.shopSummary.load(id)));
  return views.flatMap((view) => (view ? [docFromView(view)] : []));
}

/** A command's result as a Shop: its own terms and menu, with rating and ads from the query model. */
async function docFromCommand(shop: Shop): Promise<ShopDoc> {
  const [menu, view] = await Promise.all([
    db.menuGroup.findMany({
      where: { shopId: shop.id },
      orderBy: [{ position: 'asc' }, { id: 'asc' }],
      include: { items: { orderBy: [{ position: 'asc' }, { id: 'asc' }] } },
    }),
    db.shopView.findUnique({ where: { shopId: shop.id } }),
  ]);
  return {
    ...shop,
    shopId: shop.id,
    menu: menu as unknown as MenuGroupDoc[],
    adPlacements: view ? docFromView(view).adPlacements : [],
    reviewCount: view?.reviewCount ?? 0,
    ratingSum: view?.ratingSum ?? 0,
  };
}

const MAX_QUERY_LENGTH = 50;

export const resolvers: GraphQLResolverMap<Context> = {
  DateTime: DateTimeScalar,

  Query: {
    async home(_: unknown, { area }: { area: string }) {
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
    },

    async shops(
      _: unknown,
      args: { area: string; category?: string | null; sort: ShopSort; first: number; after?: string | null },
    ) {
      const first = pageSize(args.first);
      const after = decodeCursor(args.after, SORTS[args.sort].length);
      const page = await listShops(sql, { area: args.area, category: args.category, sort: args.sort, first, after });
      const edges = page.shops.map((node, i) => ({ cursor: encodeCursor(page.keys[i]), node }));
      return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
    },

    async searchShops(_: unknown, args: { query: string; area?: string | null; first: number }, { loaders }: Context) {
      const words = args.query.trim();
      if (words.length === 0 || words.length > MAX_QUERY_LENGTH)
        throw badInput('query', `query must be 1 to ${MAX_QUERY_LENGTH} characters`);
      const first = pageSize(args.first);
      return docs(await searchShopIds(sql, words, args.area ?? null, first), loaders);
    },

    async shop(_: unknown, { id }: { id: string }, { loaders }: Context) {
      const view = await loaders.shopView.load(id);
      if (!view) throw notFound('Shop', id);
      return docFromView(view);
    },

    async me(_: unknown, __: unknown, { identity, loaders }: Context) {
      return identity.userId ? loaders.account.load(identity.userId) : null;
    },

    async myShops(_: unknown, __: unknown, { identity }: Context) {
      const ownerId = requireRole(identity, 'OWNER');
      const shops = await db.shop.findMany({ where: { ownerId }, orderBy: { name: 'asc' } });
      return Promise.all(shops.map(docFromCommand));
    },
  },

  Mutation: {
    async login(_: unknown, { email, password }: { email: string; password: string }) {
      const account = await db.account.findUnique({ where: { email: email.trim().toLowerCase() } });
      // One message for both cases, so the response does not reveal which emails exist.
      if (!account || !(await verifyPassword(password, account.passwordHash))) {
        throw new DomainError('UNAUTHENTICATED', 'The email or password is wrong');
      }
      // The caller is still anonymous on this request; the account is theirs all the same.
      return { token: issueToken(account), user: { ...account, signingIn: true } };
    },
    registerShop: async (_: unknown, { input }: { input: commands.ShopInput }, { identity }: Context) =>
      docFromCommand(await commands.registerShop(identity, input)),
    updateShop: async (_: unknown, { id, input }: { id: string; input: commands.ShopInput }, { identity }: Context) =>
      docFromCommand(await commands.updateShop(identity, id, input)),
    openShop: async (_: unknown, { id }: { id: string }, { identity }: Context) =>
      docFromCommand(await commands.setShopOpen(identity, id, true)),
    closeShop: async (_: unknown, { id }: { id: string }, { identity }: Context) =>
      docFromCommand(await commands.setShopOpen(identity, id, false)),
    upsertMenuGroup: (
      _: unknown,
      args: { shopId: string; input: { id?: string; name: string; position?: number } },
      { identity }: Context,
    ) => commands.upsertMenuGroup(identity, args.shopId, args.input),
    upsertMenuItem: (_: unknown, args: { shopId: string; input: commands.MenuItemCommand }, { identity }: Context) =>
      commands.upsertMenuItem(identity, args.shopId, args.input),
    setMenuItemSoldOut: (_: unknown, args: { id: string; soldOut: boolean }, { identity }: Context) =>
      commands.setMenuItemSoldOut(identity, args.id, args.soldOut),
    deleteMenuItem: (_: unknown, { id }: { id: string }, { identity }: Context) =>
      commands.deleteMenuItem(identity, id),
  },

  User: {
    __resolveReference(ref: { id: string }, { loaders }: Context) {
      return loaders.account.load(ref.id);
    },
    email(account: Account & { signingIn?: boolean }, _: unknown, { identity }: Context) {
      const visible = account.signingIn || identity.userId === account.id || identity.role === 'ADMIN';
      return visible ? account.email : null;
    },
  },

  Shop: {
    async __resolveReference(ref: { id: string }, { loaders }: Context) {
      const view = await loaders.shopSummary.load(ref.id);
      return view ? docFromView(view) : null;
    },
    id: (shop: ShopDoc) => shop.shopId,
    owner: (shop: ShopDoc, _: unknown, { loaders }: Context) => loaders.account.load(shop.ownerId),
    openingHours: (shop: ShopDoc) => parseOpeningHours(shop.openingHours),
    isOpenNow: (shop: ShopDoc) => isOpenAt(parseOpeningHours(shop.openingHours), !shop.isOpen, new Date()),
    menu: async (shop: ShopDoc, _: unknown, { loaders }: Context) =>
      shop.menu ?? ((await loaders.shopView.load(shop.shopId))?.menu as unknown as MenuGroupDoc[] | undefined) ?? [],
    rating: (shop: ShopDoc) => averageRating(shop.reviewCount, shop.ratingSum),
    reviewCount: (shop: ShopDoc) => shop.reviewCount,
    adPlacement(shop: ShopDoc, { area }: { area: string }) {
      const now = new Date();
      const rank = adRankIn(shop.adPlacements, area, now);
      if (rank === NO_AD) return null;
      const placement = shop.adPlacements.find((p) => p.area === area && adRankIn([p], area, now) === rank)!;
      return { id: placement.campaignId, product: placement.product, area: placement.area };
    },
  },

  MenuGroup: {
    // Query-model documents carry their items; a group a command just wrote does not.
    items: (group: MenuGroup & { items?: unknown[] }) =>
      group.items ??
      db.menuItem.findMany({ where: { groupId: group.id }, orderBy: [{ position: 'asc' }, { id: 'asc' }] }),
  },
};
