export interface RatingTotals {
  reviewCount: number;
  ratingSum: number;
}

export const MIN_RATING = 1;
export const MAX_RATING = 5;

/** Average stars to one decimal, or null for a shop nobody has reviewed. */
export function averageRating(totals: RatingTotals | null): number | null {
  if (!totals || totals.reviewCount === 0) return null;
  return Math.round((totals.ratingSum * 10) / totals.reviewCount) / 10;
}

export function isValidRating(rating: number): boolean {
  return Number.isInteger(rating) && rating >= MIN_RATING && rating <= MAX_RATING;
}
