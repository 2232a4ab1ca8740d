import { event, type Handlers } from '@baedal/contracts';
import { appendToOutbox } from '@baedal/events';
import type { Prisma, PrismaClient, Review, ShopRating } from '@baedal/prisma/reviews';

/*
 * Reviews publishes review.stats.changed (a shop's review count and rating
 * sum at its rating version) and review.changed (a review, at its version,
 * whenever what its shop's page shows of it changes), and consumes
 * order.delivered: a delivered order becomes reviewable by its customer.
 */

type Tx = Prisma.TransactionClient;

export function publishStats(tx: Tx, stats: ShopRating) {
  const { shopId, reviewCount, ratingSum } = stats;
  return appendToOutbox(tx, [event('review.stats.changed', shopId, stats.version, { shopId, reviewCount, ratingSum })]);
}

export function publishReviewChanged(tx: Tx, review: Review) {
  const { id: reviewId, shopId } = review;
  return appendToOutbox(tx, [event('review.changed', reviewId, review.version, { reviewId, shopId })]);
}

/** Publishes every shop's stats, for rebuilding projections. */
export async function publishSnapshots(db: PrismaClient, batchSize = 500): Promise<number> {
  const all = await db.shopRating.findMany({ orderBy: { shopId: 'asc' } });
  for (let i = 0; i < all.length; i += batchSize) {
    await db.$transaction(async (tx) => {
      for (const stats of all.slice(i, i + batchSize)) await publishStats(tx, stats);
    });
  }
  return all.length;
}

/** Consumer "reviews": a delivered order becomes reviewable by its customer. */
export const eligibility: Handlers<Tx> = {
  'order.delivered': async (e, tx) => {
    await tx.$executeRaw`
      INSERT INTO "ReviewableOrder" ("orderId", "customerId", "shopId", "shopOwnerId", "deliveredAt")
      VALUES (${e.payload.orderId}, ${e.payload.customerId}, ${e.payload.shopId}, ${e.payload.shopOwnerId},
              ${new Date(e.occurredAt)})
      ON CONFLICT DO NOTHING`;
  },
};
