import { DateTimeScalar, pageSize } from '@baedal/platform';
import * as commands from './commands';
import { averageRating } from './domain/rating';
import type { Resolvers } from './generated/graphql';

/** A shop or user as another subgraph refers to it. */
export interface ShopRef {
  id: string;
}
export interface UserRef {
  id: string;
}

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,

  Mutation: {
    writeReview: (_, { input }, { identity }) => commands.writeReview(identity, input),
  },

  Review: {
    __resolveReference: (ref, { loaders }) => loaders.review.load(ref.id),
    shop: (review) => ({ id: review.shopId }),
    author: (review) => ({ id: review.customerId }),
  },

  Shop: {
    __resolveReference: (ref) => ref,
    rating: async (shop, _, { loaders }) => averageRating(await loaders.ratingTotals.load(shop.id)),
    reviewCount: async (shop, _, { loaders }) => (await loaders.ratingTotals.load(shop.id))?.reviewCount ?? 0,
    reviews: (shop, { first }, { loaders }) =>
      loaders.latestReviews.load({ shopId: shop.id, limit: pageSize(first, 10) }),
  },
};
