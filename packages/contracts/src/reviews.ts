/*
 * What reviews publishes (a shop's review totals), and the rating rule that
 * reviews and the shops query model both show.
 */

export interface ReviewStats {
  shopId: string;
  reviewCount: number;
  ratingSum: number;
}

/** A review was written, edited, deleted, replied to or hidden: what the shop's page shows of it changed. */
export interface ReviewChanged {
  reviewId: string;
  shopId: string;
}

/** Average stars to one decimal, or null for a shop nobody has reviewed. */
export function averageRating(reviewCount: number, ratingSum: number): number | null {
  return reviewCount > 0 ? Math.round((ratingSum * 10) / reviewCount) / 10 : null;
}
