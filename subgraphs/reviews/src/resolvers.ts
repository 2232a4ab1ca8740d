import { DateTimeScalar, pageSize, type SubgraphContext } from '@baedal/platform';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { Review } from '@baedal/prisma/reviews';
import * as commands from './commands';
import type { Loaders } from './db';
import { averageRating } from './domain/rating';

type Context = SubgraphContext<Loaders>;
type ShopRef = { id: string };

export const resolvers: GraphQLResolverMap<Context> = {
  DateTime: DateTimeScalar,

  Mutation: {
    writeReview: (
      _: unknown,
      { input }: { input: { orderId: string; rating: number; text: string } },
      { identity }: Context,
    ) => commands.writeReview(identity, input),
  },

  Review: {
    __resolveReference(ref: { id: string }, { loaders }: Context) {
      return loaders.review.load(ref.id);
    },
    shop: (review: Review) => ({ id: review.shopId }),
    author: (review: Review) => ({ id: review.customerId }),
  },

  Shop: {
    __resolveReference: (ref: ShopRef) => ref,
    async rating(shop: ShopRef, _: unknown, { loaders }: Context) {
      return averageRating(await loaders.ratingTotals.load(shop.id));
    },
    async reviewCount(shop: ShopRef, _: unknown, { loaders }: Context) {
      return (await loaders.ratingTotals.load(shop.id))?.reviewCount ?? 0;
    },
    reviews(shop: ShopRef, { first }: { first: number }, { loaders }: Context) {
      return loaders.latestReviews.load({ shopId: shop.id, limit: pageSize(first, 10) });
    },
  },
};
