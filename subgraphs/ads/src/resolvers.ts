import { DateTimeScalar, type SubgraphContext } from '@baedal/platform';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { AdCampaign, AdProduct } from '@baedal/prisma/ads';
import * as commands from './commands';
import type { Loaders } from './db';
import { isRunning, placementIn } from './domain/placement';

type Context = SubgraphContext<Loaders>;
type ShopRef = { id: string };

export const resolvers: GraphQLResolverMap<Context> = {
  DateTime: DateTimeScalar,

  Mutation: {
    startAdPlacement: (
      _: unknown,
      { input }: { input: { shopId: string; product: AdProduct; area: string; days: number } },
      { identity }: Context,
    ) => commands.startAdPlacement(identity, input),
    endAdPlacement: (_: unknown, { campaignId }: { campaignId: string }, { identity }: Context) =>
      commands.endAdPlacement(identity, campaignId),
  },

  AdCampaign: {
    __resolveReference(ref: { id: string }, { loaders }: Context) {
      return loaders.campaign.load(ref.id);
    },
    shop(campaign: AdCampaign) {
      return { id: campaign.shopId };
    },
  },

  Shop: {
    // Shops are owned by the shops subgraph; ads only adds fields to the reference.
    __resolveReference(ref: ShopRef) {
      return ref;
    },
    async activeAds(shop: ShopRef, _: unknown, { loaders }: Context) {
      const now = new Date();
      return (await loaders.liveCampaignsByShop.load(shop.id)).filter((c) => isRunning(c, now));
    },
    async adPlacement(shop: ShopRef, { area }: { area: string }, { loaders }: Context) {
      return placementIn(await loaders.liveCampaignsByShop.load(shop.id), area, new Date());
    },
  },
};
