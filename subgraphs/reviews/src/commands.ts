import { randomUUID } from 'node:crypto';
import { DomainError, isUniqueViolation, notFound, type Identity } from '@baedal/platform';
import type { Review } from '@baedal/prisma/reviews';
import { db } from './db';
import { requireOwnOrder, requireReviewer } from './domain/access';
import { validateReview } from './domain/rating';
import { publishStats } from './events';

export interface WriteReviewInput {
  orderId: string;
  rating: number;
  text: string;
}

/** A customer reviews their own delivered order, once; the shop's stats change with it. */
export async function writeReview(identity: Identity, input: WriteReviewInput): Promise<Review> {
  const customerId = requireReviewer(identity);
  const { rating, text } = validateReview(input.rating, input.text);
  const reviewable = await db.reviewableOrder.findUnique({ where: { orderId: input.orderId } });
  if (!reviewable) throw notFound('Delivered order', input.orderId);
  requireOwnOrder(reviewable, customerId);
  try {
    return await db.$transaction(async (tx) => {
      const { shopId } = reviewable;
      const review = await tx.review.create({
        data: { id: randomUUID(), shopId, orderId: input.orderId, customerId, rating, text },
      });
      const stats = await tx.shopRating.upsert({
        where: { shopId },
        create: { shopId, reviewCount: 1, ratingSum: rating, version: 1 },
        update: { reviewCount: { increment: 1 }, ratingSum: { increment: rating }, version: { increment: 1 } },
      });
      await publishStats(tx, stats);
      return review;
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new DomainError('CONFLICT', 'This order already has a review', { field: 'orderId' });
    }
    throw error;
  }
}
