import { averageRating as averageStars } from '@baedal/contracts';
import { badInput } from '@baedal/platform';

export interface RatingTotals {
  reviewCount: number;
  ratingSum: number;
}

export const MIN_RATING = 1;
export const MAX_RATING = 5;

/** The shop's average from its running totals (the rating rule reviews publishes in @baedal/contracts). */
export function averageRating(totals: RatingTotals | null): number | null {
  return totals ? averageStars(totals.reviewCount, totals.ratingSum) : null;
}

export function isValidRating(rating: number): boolean {
  return Number.isInteger(rating) && rating >= MIN_RATING && rating <= MAX_RATING;
}

export const MAX_REVIEW_LENGTH = 1000;

/** A review's rating and text as stored, or BAD_USER_INPUT naming the field. */
export function validateReview(rating: number, text: string): { rating: number; text: string } {
  if (!isValidRating(rating))
    throw badInput('rating', `rating must be a whole number from ${MIN_RATING} to ${MAX_RATING}`);
  const trimmed = text.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_REVIEW_LENGTH) {
    throw badInput('text', `text must be 1 to ${MAX_REVIEW_LENGTH} characters`);
  }
  return { rating, text: trimmed };
}
