import { averageRating } from './reviews';

describe('the rating shown', () => {
  it('averages to one decimal, and is null before the first review', () => {
    expect(averageRating(3, 13)).toBe(4.3);
    expect(averageRating(2, 9)).toBe(4.5);
    expect(averageRating(0, 0)).toBeNull();
  });
});
