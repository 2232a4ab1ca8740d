/*
 * Reference data every domain agrees on. The GraphQL enums `Category` and
 * `DeliveryArea`, in every subgraph that repeats them, list exactly these
 * values (sdl.test.ts checks).
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
