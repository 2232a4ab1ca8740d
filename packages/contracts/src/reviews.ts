/*
 * What reviews publishes (a shop's review totals), and the rating rule that
 * reviews and the shops query model both show.
 */

export interface ReviewStats {
  shopId: string;
  reviewCount: number;
  ratingSum: number;
}

/** Average stars to one decimal, or null for a shop nobody has reviewed. */
export function averageRating(reviewCount: number, ratingSum: number): number | null {
  return reviewCount > 0 ? Math.round((ratingSum * 10) / reviewCount) / 10 : null;
}
