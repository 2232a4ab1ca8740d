import { badInput, DomainError, forbidden, notFound, requireRole, type Identity } from '@baedal/platform';

/*
 * A review's life: written within a week of delivery, edited or deleted by its
 * author within three days, answered once by the shop's owner (the reply can
 * be edited), hidden by an admin. Pure: the commands read the rows and the
 * clock. A review counts in its shop's stats until it is deleted or hidden.
 */

const DAY_MS = 24 * 60 * 60 * 1000;
export const REVIEW_WINDOW_MS = 7 * DAY_MS;
export const EDIT_WINDOW_MS = 3 * DAY_MS;
export const MAX_PHOTOS = 5;
export const MAX_PHOTO_URL_LENGTH = 500;
export const MAX_REPLY_LENGTH = 1000;
export const MAX_HIDE_REASON_LENGTH = 200;

export interface ReviewState {
  customerId: string;
  shopOwnerId: string | null;
  createdAt: Date;
  deletedAt: Date | null;
  hiddenAt: Date | null;
}

/** Whether a review counts in its shop's rating and review count. */
export const counts = (review: Pick<ReviewState, 'deletedAt' | 'hiddenAt'>): boolean =>
  review.deletedAt === null && review.hiddenAt === null;

/** A delivered order is reviewed within a week, and never by the shop's own owner. */
export function requireReviewable(
  order: { customerId: string; shopOwnerId: string | null; deliveredAt: Date },
  customerId: string,
  now: Date,
): void {
  if (order.customerId !== customerId) throw forbidden('You can only review your own orders');
  if (order.shopOwnerId === customerId) throw forbidden('You cannot review your own shop');
  if (now.getTime() - order.deliveredAt.getTime() > REVIEW_WINDOW_MS) {
    throw new DomainError('REVIEW_WINDOW_CLOSED', 'An order can be reviewed within 7 days of its delivery');
  }
}

/** Photos as stored: at most five https URLs. */
export function validatePhotos(photos: readonly string[] | null | undefined): string[] {
  const given = photos ?? [];
  if (given.length > MAX_PHOTOS) throw badInput('photos', `at most ${MAX_PHOTOS} photos`);
  return given.map((photo) => {
    const url = URL.canParse(photo) ? new URL(photo) : null;
    if (!url || url.protocol !== 'https:' || !url.hostname || photo.length > MAX_PHOTO_URL_LENGTH) {
      throw badInput('photos', `each photo must be an https URL of at most ${MAX_PHOTO_URL_LENGTH} characters`);
    }
    return photo;
  });
}

/** Its author changes or deletes a review that still shows, within three days of writing it. */
export function requireAuthorChange(review: ReviewState, identity: Identity, reviewId: string, now: Date): void {
  const customerId = requireRole(identity, 'CUSTOMER');
  if (review.deletedAt) throw notFound('Review', reviewId);
  if (review.customerId !== customerId) throw forbidden('You can only change your own reviews');
  if (review.hiddenAt) throw forbidden('This review was hidden by a moderator');
  if (now.getTime() - review.createdAt.getTime() > EDIT_WINDOW_MS) {
    throw new DomainError('EDIT_WINDOW_CLOSED', 'A review can be changed within 3 days of writing it');
  }
}

/** The shop's owner replies to a review that still shows; answers the reply's text. */
export function requireReply(review: ReviewState, identity: Identity, reviewId: string, text: string): string {
  const ownerId = requireRole(identity, 'OWNER');
  if (!counts(review)) throw notFound('Review', reviewId);
  if (review.shopOwnerId !== ownerId) throw forbidden("You can only reply to your own shop's reviews");
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_REPLY_LENGTH) {
    throw badInput('text', `text must be 1 to ${MAX_REPLY_LENGTH} characters`);
  }
  return trimmed;
}

/** An admin hides a review that still shows, saying why; answers the reason. */
export function requireHide(review: ReviewState, identity: Identity, reviewId: string, reason: string): string {
  requireRole(identity, 'ADMIN');
  if (!counts(review)) throw notFound('Review', reviewId);
  const trimmed = reason.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_HIDE_REASON_LENGTH) {
    throw badInput('reason', `reason must be 1 to ${MAX_HIDE_REASON_LENGTH} characters`);
  }
  return trimmed;
}
