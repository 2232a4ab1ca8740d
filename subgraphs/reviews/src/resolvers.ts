import { DateTimeScalar, pageSize } from '@baedal/platform';
import * as commands from './commands';
import * as queries from './queries';
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
    editReview: (_, { input }, { identity }) => commands.editReview(identity, input),
    deleteReview: (_, { reviewId }, { identity }) => commands.deleteReview(identity, reviewId),
    replyToReview: (_, { reviewId, text }, { identity }) => commands.replyToReview(identity, reviewId, text),
    hideReview: (_, { reviewId, reason }, { identity }) => commands.hideReview(identity, reviewId, reason),
  },

  Review: {
    __resolveReference: (ref, { loaders }) => loaders.review.load(ref.id),
    reply: (review) =>
      review.replyText && review.repliedAt
        ? { text: review.replyText, repliedAt: review.repliedAt, editedAt: review.replyEditedAt }
        : null,
    shop: (review) => ({ id: review.shopId }),
    author: (review) => ({ id: review.customerId }),
  },

  Shop: {
    __resolveReference: (ref) => ref,
    rating: async (shop, _, { loaders }) => averageRating(await loaders.ratingTotals.load(shop.id)),
    reviewCount: async (shop, _, { loaders }) => (await loaders.ratingTotals.load(shop.id))?.reviewCount ?? 0,
    reviews: (shop, { first }, { loaders }) =>
      loaders.latestReviews.load({ shopId: shop.id, limit: pageSize(first, 10) }),
    reviewsConnection: (shop, { first, after, sort }) => queries.reviewsConnection(shop.id, first, after, sort),
  },
};
