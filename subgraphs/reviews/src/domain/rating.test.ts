import { averageRating, isValidRating } from './rating';

describe('rating', () => {
  it('averages to one decimal and is null without reviews', () => {
    expect(averageRating({ reviewCount: 3, ratingSum: 13 })).toBe(4.3);
    expect(averageRating({ reviewCount: 0, ratingSum: 0 })).toBeNull();
    expect(averageRating(null)).toBeNull();
  });

  it('accepts whole stars from 1 to 5', () => {
    expect([0, 1, 5, 6, 4.5].map(isValidRating)).toEqual([false, true, true, false, false]);
  });
});
