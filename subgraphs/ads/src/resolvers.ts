import { DateTimeScalar } from '@baedal/platform';
import * as commands from './commands';
import * as queries from './queries';
import { isRunning, placementIn, statusAt } from './domain/placement';
import type { DeliveryArea, Resolvers } from './generated/graphql';

/** A shop as the shops subgraph refers to it: ads only adds fields to it. */
export interface ShopRef {
  id: string;
}

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,

  Query: {
    myAdCampaigns: (_, { first, after }, { identity }) => queries.myAdCampaigns(identity, first, after),
    adWallet: (_, { shopId }, { identity }) => queries.adWallet(identity, shopId),
    adRevenue: (_, { from, to }, { identity }) => queries.adRevenue(identity, from, to),
  },

  Mutation: {
    startAdPlacement: (_, { input }, { identity }) => commands.startAdPlacement(identity, input),
    endAdPlacement: (_, { campaignId }, { identity }) => commands.endAdPlacement(identity, campaignId),
    publishAdPriceTable: (_, { input }, { identity }) =>
      commands.publishAdPriceTable(identity, {
        effectiveFrom: input.effectiveFrom,
        ultraCallPer30Days: Object.fromEntries(input.ultraCallPer30Days.map((p) => [p.area, p.won])),
        openList: { basisPoints: input.openListBasisPoints, floorWon: input.openListFloorWon },
      }),
  },

  AdPriceTable: {
    ultraCallPer30Days: (table) =>
      Object.entries(table.ultraCallPer30Days).map(([area, won]) => ({ area: area as DeliveryArea, won })),
    openListBasisPoints: (table) => table.openList.basisPoints,
    openListFloorWon: (table) => table.openList.floorWon,
  },

  AdCampaign: {
    __resolveReference: (ref, { loaders }) => loaders.campaign.load(ref.id),
    shop: (campaign) => ({ id: campaign.shopId }),
    status: (campaign) => statusAt(campaign, new Date()),
  },

  AdWallet: {
    postings: (wallet, { first, after }) => queries.walletPostings(wallet.shopId, first, after),
    statements: (wallet) => queries.walletStatements(wallet.shopId),
  },

  Shop: {
    __resolveReference: (ref) => ref,
    activeAds: async (shop, _, { loaders }) => {
      const now = new Date();
      return (await loaders.liveCampaignsByShop.load(shop.id)).filter((c) => isRunning(c, now));
    },
    adPlacement: async (shop, { area }, { loaders }) =>
      placementIn(await loaders.liveCampaignsByShop.load(shop.id), area, new Date()),
  },
};
