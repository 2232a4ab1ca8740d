/**
 * Reference data every service agrees on. The GraphQL enums `Category` and
 * `DeliveryArea` list exactly these values.
 */
export const CATEGORIES = [
  'CHICKEN',
  'PIZZA',
  'KOREAN',
  'CHINESE',
  'JAPANESE',
  'BUNSIK',
  'JOKBAL_BOSSAM',
  'CAFE_DESSERT',
  'FAST_FOOD',
  'NIGHT_SNACK',
] as const;
export type Category = (typeof CATEGORIES)[number];

export const DELIVERY_AREAS = ['GANGNAM', 'SEOCHO', 'SONGPA', 'MAPO', 'JONGNO'] as const;
export type DeliveryArea = (typeof DELIVERY_AREAS)[number];

/** Opening hours and "open now" are reckoned in the platform's home time zone. */
export const TIME_ZONE = 'Asia/Seoul';

/** Average stars to one decimal, or null for a shop nobody has reviewed. Reviews and the shops query model both show it. */
export function averageRating(reviewCount: number, ratingSum: number): number | null {
  return reviewCount > 0 ? Math.round((ratingSum * 10) / reviewCount) / 10 : null;
}
