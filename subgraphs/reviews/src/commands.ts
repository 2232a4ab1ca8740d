import { randomUUID } from 'node:crypto';
import { DomainError, isUniqueViolation, notFound, type Identity } from '@baedal/platform';
import type { Prisma, Review } from '@baedal/prisma/reviews';
import { db } from './db';
import { requireReviewer } from './domain/access';
import {
  counts,
  requireAuthorChange,
  requireHide,
  requireReply,
  requireReviewable,
  validatePhotos,
} from './domain/lifecycle';
import { validateReview } from './domain/rating';
import { publishReviewChanged, publishStats } from './events';

type Tx = Prisma.TransactionClient;

export interface WriteReviewInput {
  orderId: string;
  rating: number;
  text: string;
  photos?: readonly string[] | null;
}

export interface EditReviewInput {
  reviewId: string;
  rating?: number | null;
  text?: string | null;
  photos?: readonly string[] | null;
}

/** Moves a shop's running totals by a review's change, and publishes them at their next version. */
async function moveStats(tx: Tx, shopId: string, reviews: number, stars: number): Promise<void> {
  const stats = await tx.shopRating.upsert({
    where: { shopId },
    create: { shopId, reviewCount: reviews, ratingSum: stars, version: 1 },
    update: { reviewCount: { increment: reviews }, ratingSum: { increment: stars }, version: { increment: 1 } },
  });
  await publishStats(tx, stats);
}

/** The review, locked until the transaction ends, so concurrent changes to it apply one after another. */
async function lockedReview(tx: Tx, reviewId: string): Promise<Review> {
  const [review] = await tx.$queryRaw<Review[]>`SELECT * FROM "Review" WHERE "id" = ${reviewId} FOR UPDATE`;
  if (!review) throw notFound('Review', reviewId);
  return review;
}

/**
 * Applies `data` to a locked review at its next version; the shop's stats
 * move by what the review counted before and counts after (domain/lifecycle's
 * `counts`), and review.changed tells the shop pages.
 */
async function changeReview(tx: Tx, before: Review, data: Prisma.ReviewUpdateInput): Promise<Review> {
  const after = await tx.review.update({ where: { id: before.id }, data: { ...data, version: { increment: 1 } } });
  const stars = (review: Review) => (counts(review) ? review.rating : 0);
  const reviews = Number(counts(after)) - Number(counts(before));
  if (reviews !== 0 || stars(after) !== stars(before))
    await moveStats(tx, after.shopId, reviews, stars(after) - stars(before));
  await publishReviewChanged(tx, after);
  return after;
}

/** A customer reviews their own delivered order, once, within a week; the shop's stats change with it. */
export async function writeReview(identity: Identity, input: WriteReviewInput): Promise<Review> {
  const customerId = requireReviewer(identity);
  const { rating, text } = validateReview(input.rating, input.text);
  const photos = validatePhotos(input.photos);
  const reviewable = await db.reviewableOrder.findUnique({ where: { orderId: input.orderId } });
  if (!reviewable) throw notFound('Delivered order', input.orderId);
  requireReviewable(reviewable, customerId, new Date());
  try {
    return await db.$transaction(async (tx) => {
      const { shopId, shopOwnerId } = reviewable;
      const review = await tx.review.create({
        data: { id: randomUUID(), shopId, shopOwnerId, orderId: input.orderId, customerId, rating, text, photos },
      });
      await moveStats(tx, shopId, 1, rating);
      await publishReviewChanged(tx, review);
      return review;
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new DomainError('CONFLICT', 'This order already has a review', { field: 'orderId' });
    }
    throw error;
  }
}

/** Its author changes a review within three days; a new rating moves the shop's stats. */
export async function editReview(identity: Identity, input: EditReviewInput): Promise<Review> {
  return db.$transaction(async (tx) => {
    const current = await lockedReview(tx, input.reviewId);
    requireAuthorChange(current, identity, input.reviewId, new Date());
    const { rating, text } = validateReview(input.rating ?? current.rating, input.text ?? current.text);
    const photos = input.photos ? validatePhotos(input.photos) : current.photos;
    return changeReview(tx, current, { rating, text, photos, editedAt: new Date() });
  });
}

/** Its author deletes a review within three days: it leaves the lists and the stats; the order stays reviewed. */
export async function deleteReview(identity: Identity, reviewId: string): Promise<string> {
  return db.$transaction(async (tx) => {
    const review = await lockedReview(tx, reviewId);
    requireAuthorChange(review, identity, reviewId, new Date());
    await changeReview(tx, review, { deletedAt: new Date() });
    return reviewId;
  });
}

/** The shop's owner replies to a review, once; replying again edits the reply. */
export async function replyToReview(identity: Identity, reviewId: string, text: string): Promise<Review> {
  return db.$transaction(async (tx) => {
    const review = await lockedReview(tx, reviewId);
    const reply = requireReply(review, identity, reviewId, text);
    const now = new Date();
    return changeReview(
      tx,
      review,
      review.repliedAt ? { replyText: reply, replyEditedAt: now } : { replyText: reply, repliedAt: now },
    );
  });
}

/** An admin hides a review, saying why: it leaves the lists and the stats. */
export async function hideReview(identity: Identity, reviewId: string, reason: string): Promise<Review> {
  return db.$transaction(async (tx) => {
    const review = await lockedReview(tx, reviewId);
    const why = requireHide(review, identity, reviewId, reason);
    return changeReview(tx, review, { hiddenAt: new Date(), hiddenReason: why });
  });
}
