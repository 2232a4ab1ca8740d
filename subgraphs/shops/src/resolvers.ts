import {
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
import type { Account, MenuGroup, Shop } from '@baedal/prisma/shops';
import { db, type Loaders } from './db';

type Context = SubgraphContext<Loaders>;

export const resolvers: GraphQLResolverMap<Context> = {
  DateTime: DateTimeScalar,

  Query: {
    async shops(_: unknown, args: { area: string; category?: string | null; first?: number; after?: string | null }) {
      const size = pageSize(args.first);
      const after = decodeCursor(args.after, 2) as [string, string] | null;
      const rows = await db.shop.findMany({
        where: {
          deliveryAreas: { has: args.area },
          ...(args.category ? { category: args.category } : {}),
          ...(after ? { OR: [{ name: { gt: after[0] } }, { name: after[0], id: { gt: after[1] } }] } : {}),
        },
        orderBy: [{ name: 'asc' }, { id: 'asc' }],
        take: size + 1,
      });
      const page = rows.slice(0, size);
      const edges = page.map((shop) => ({ cursor: encodeCursor([shop.name, shop.id]), node: shop }));
      return { edges, pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null } };
    },
    async shop(_: unknown, { id }: { id: string }, { loaders }: Context) {
      const shop = await loaders.shop.load(id);
      if (!shop) throw notFound('Shop', id);
      return shop;
    },
    async me(_: unknown, __: unknown, { identity, loaders }: Context) {
      return identity.userId ? loaders.account.load(identity.userId) : null;
    },
    async myShops(_: unknown, __: unknown, { identity }: Context) {
      const ownerId = requireRole(identity, 'OWNER');
      return db.shop.findMany({ where: { ownerId }, orderBy: { name: 'asc' } });
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
    __resolveReference(ref: { id: string }, { loaders }: Context) {
      return loaders.shop.load(ref.id);
    },
    owner(shop: Shop, _: unknown, { loaders }: Context) {
      return loaders.account.load(shop.ownerId);
    },
    openingHours(shop: Shop) {
      return parseOpeningHours(shop.openingHours);
    },
    isOpenNow(shop: Shop) {
      return isOpenAt(parseOpeningHours(shop.openingHours), !shop.isOpen, new Date());
    },
    menu(shop: Shop, _: unknown, { loaders }: Context) {
      return loaders.menuGroups.load(shop.id);
    },
  },

  MenuGroup: {
    items(group: MenuGroup, _: unknown, { loaders }: Context) {
      return loaders.menuItems.load(group.id);
    },
  },
};
