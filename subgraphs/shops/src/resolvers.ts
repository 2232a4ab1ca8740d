import { averageRating, isOpenAt, parseOpeningHours, type MenuGroupDoc, type MenuItemDoc } from '@baedal/contracts';
import { DateTimeScalar } from '@baedal/platform';
import type { Account, MenuGroup, MenuItem } from '@baedal/prisma/shops';
import * as commands from './commands';
import { canSeeEmail } from './domain/access';
import { placementIn } from './domain/listing';
import type { Resolvers } from './generated/graphql';
import * as queries from './queries';
import { docFromView } from './queryModel';

/** An account as User resolvers read it; `signingIn` marks the account `login` answers with. */
export type AccountParent = Account & { signingIn?: boolean };
/** A menu group from the query model (with its items), or one a command just wrote (without). */
export type MenuGroupParent = MenuGroupDoc | (MenuGroup & { items?: MenuItem[] });
export type MenuItemParent = MenuItemDoc | MenuItem;
/** A shop's placement in an area, as the query model holds it. */
export interface PlacementParent {
  id: string;
  product: 'ULTRA_CALL' | 'OPEN_LIST';
  area: string;
}

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,

  Query: {
    home: (_, { area }) => queries.homeOf(area),
    shops: (_, args) => queries.shopPage(args),
    searchShops: (_, args, { loaders }) => queries.searchShops(args, loaders),
    shop: (_, { id }, { loaders }) => queries.shopPageOf(id, loaders),
    me: (_, __, { identity, loaders }) => (identity.userId ? loaders.account.load(identity.userId) : null),
    myShops: (_, __, { identity }) => queries.myShops(identity),
  },

  Mutation: {
    login: (_, { email, password }) => commands.login(email, password),
    signUp: async (_, { input }) => ({ message: await commands.signUp(input) }),
    closeAccount: (_, { password }, { identity }) => commands.closeAccount(identity, password),
    registerShop: async (_, { input }, { identity }) => queries.shopDocOf(await commands.registerShop(identity, input)),
    updateShop: async (_, { id, input }, { identity }) =>
      queries.shopDocOf(await commands.updateShop(identity, id, input)),
    openShop: async (_, { id }, { identity }) => queries.shopDocOf(await commands.setShopOpen(identity, id, true)),
    closeShop: async (_, { id }, { identity }) => queries.shopDocOf(await commands.setShopOpen(identity, id, false)),
    upsertMenuGroup: (_, { shopId, input }, { identity }) => commands.upsertMenuGroup(identity, shopId, input),
    upsertMenuItem: (_, { shopId, input }, { identity }) => commands.upsertMenuItem(identity, shopId, input),
    setMenuItemSoldOut: (_, { id, soldOut }, { identity }) => commands.setMenuItemSoldOut(identity, id, soldOut),
    deleteMenuItem: (_, { id }, { identity }) => commands.deleteMenuItem(identity, id),
  },

  User: {
    __resolveReference: (ref, { loaders }) => loaders.account.load(ref.id),
    email: (account, _, { identity }) => (canSeeEmail(account, identity, account.signingIn) ? account.email : null),
  },

  Shop: {
    __resolveReference: async (ref, { loaders }) => {
      const view = await loaders.shopSummary.load(ref.id);
      return view ? docFromView(view) : null;
    },
    id: (shop) => shop.shopId,
    // Every shop's owner has an account (shops writes both); a missing one is the non-null field's error.
    owner: async (shop, _, { loaders }) => (await loaders.account.load(shop.ownerId)) as AccountParent,
    openingHours: (shop) => parseOpeningHours(shop.openingHours),
    isOpenNow: (shop) => isOpenAt(parseOpeningHours(shop.openingHours), !shop.isOpen, new Date()),
    menu: async (shop, _, { loaders }) =>
      shop.menu ?? ((await loaders.shopView.load(shop.shopId))?.menu as unknown as MenuGroupDoc[] | undefined) ?? [],
    rating: (shop) => averageRating(shop.reviewCount, shop.ratingSum),
    reviewCount: (shop) => shop.reviewCount,
    adPlacement: (shop, { area }) => {
      const placement = placementIn(shop.adPlacements, area, new Date());
      return placement && { id: placement.campaignId, product: placement.product, area: placement.area };
    },
  },

  MenuGroup: {
    // Query-model documents carry their items; a group a command just wrote does not.
    items: (group) => group.items ?? queries.menuItemsOf(group.id),
  },
};
