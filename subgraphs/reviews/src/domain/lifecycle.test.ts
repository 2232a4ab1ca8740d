import { refusalOf } from '@baedal/platform/testing';
import { ANONYMOUS, type Identity } from '@baedal/platform';
import {
  counts,
  EDIT_WINDOW_MS,
  requireAuthorChange,
  requireHide,
  requireReply,
  requireReviewable,
  REVIEW_WINDOW_MS,
  validatePhotos,
  type ReviewState,
} from './lifecycle';

const now = new Date('2026-12-05T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const customer: Identity = { userId: 'c1', role: 'CUSTOMER' };
const owner: Identity = { userId: 'o1', role: 'OWNER' };
const admin: Identity = { userId: 'a1', role: 'ADMIN' };
const review = (changes: Partial<ReviewState> = {}): ReviewState => ({
  customerId: 'c1',
  shopOwnerId: 'o1',
  createdAt: ago(1000),
  deletedAt: null,
  hiddenAt: null,
  ...changes,
});

describe('writing a review', () => {
  const order = { customerId: 'c1', shopOwnerId: 'o1', deliveredAt: ago(1000) };

  it('is for the customer the order was delivered to, within 7 days of delivery', () => {
    expect(refusalOf(() => requireReviewable(order, 'c1', now))).toBe('allowed');
    expect(refusalOf(() => requireReviewable(order, 'c2', now))).toBe('FORBIDDEN');
    expect(refusalOf(() => requireReviewable({ ...order, deliveredAt: ago(REVIEW_WINDOW_MS) }, 'c1', now))).toBe(
      'allowed',
    );
    expect(refusalOf(() => requireReviewable({ ...order, deliveredAt: ago(REVIEW_WINDOW_MS + 1) }, 'c1', now))).toBe(
      'REVIEW_WINDOW_CLOSED',
    );
  });

  it("is never the shop's own owner's", () => {
    expect(refusalOf(() => requireReviewable({ ...order, customerId: 'o1' }, 'o1', now))).toBe('FORBIDDEN');
  });

  it('takes at most five https photo URLs', () => {
    const photo = (n: number) => `https://img.baedal.dev/${n}.jpg`;
    expect(validatePhotos(undefined)).toEqual([]);
    expect(validatePhotos([1, 2, 3, 4, 5].map(photo))).toHaveLength(5);
    expect(refusalOf(() => validatePhotos([1, 2, 3, 4, 5, 6].map(photo)))).toBe('BAD_USER_INPUT:photos');
    for (const bad of [
      'http://img.baedal.dev/1.jpg',
      'javascript:alert(1)',
      'not a url',
      `https://a.b/${'x'.repeat(500)}`,
    ])
      expect([bad, refusalOf(() => validatePhotos([bad]))]).toEqual([bad, 'BAD_USER_INPUT:photos']);
  });
});

describe("changing or deleting one's review", () => {
  it('is for its author, within 3 days of writing it', () => {
    expect(refusalOf(() => requireAuthorChange(review(), customer, 'r1', now))).toBe('allowed');
    expect(refusalOf(() => requireAuthorChange(review({ createdAt: ago(EDIT_WINDOW_MS) }), customer, 'r1', now))).toBe(
      'allowed',
    );
    expect(
      refusalOf(() => requireAuthorChange(review({ createdAt: ago(EDIT_WINDOW_MS + 1) }), customer, 'r1', now)),
    ).toBe('EDIT_WINDOW_CLOSED');
    expect(refusalOf(() => requireAuthorChange(review(), { userId: 'c2', role: 'CUSTOMER' }, 'r1', now))).toBe(
      'FORBIDDEN',
    );
    expect(refusalOf(() => requireAuthorChange(review(), owner, 'r1', now))).toBe('FORBIDDEN');
    expect(refusalOf(() => requireAuthorChange(review(), ANONYMOUS, 'r1', now))).toBe('UNAUTHENTICATED');
  });

  it('finds no deleted review, and leaves a hidden one as the moderator left it', () => {
    expect(refusalOf(() => requireAuthorChange(review({ deletedAt: now }), customer, 'r1', now))).toBe('NOT_FOUND');
    expect(refusalOf(() => requireAuthorChange(review({ hiddenAt: now }), customer, 'r1', now))).toBe('FORBIDDEN');
  });
});

describe('replying to a review', () => {
  it("is for the shop's owner, with 1 to 1,000 characters", () => {
    expect(requireReply(review(), owner, 'r1', '  감사합니다  ')).toBe('감사합니다');
    expect(refusalOf(() => requireReply(review(), { userId: 'o2', role: 'OWNER' }, 'r1', '감사합니다'))).toBe(
      'FORBIDDEN',
    );
    expect(refusalOf(() => requireReply(review({ shopOwnerId: null }), owner, 'r1', '감사합니다'))).toBe('FORBIDDEN');
    expect(refusalOf(() => requireReply(review(), customer, 'r1', '감사합니다'))).toBe('FORBIDDEN');
    expect(refusalOf(() => requireReply(review(), owner, 'r1', ' '))).toBe('BAD_USER_INPUT:text');
    expect(refusalOf(() => requireReply(review(), owner, 'r1', 'x'.repeat(1001)))).toBe('BAD_USER_INPUT:text');
  });

  it('finds no deleted or hidden review', () => {
    expect(refusalOf(() => requireReply(review({ deletedAt: now }), owner, 'r1', '감사합니다'))).toBe('NOT_FOUND');
    expect(refusalOf(() => requireReply(review({ hiddenAt: now }), owner, 'r1', '감사합니다'))).toBe('NOT_FOUND');
  });
});

describe('hiding a review', () => {
  it('is for admins, with a reason', () => {
    expect(requireHide(review(), admin, 'r1', ' 욕설 ')).toBe('욕설');
    expect(refusalOf(() => requireHide(review(), owner, 'r1', '욕설'))).toBe('FORBIDDEN');
    expect(refusalOf(() => requireHide(review(), admin, 'r1', ''))).toBe('BAD_USER_INPUT:reason');
    expect(refusalOf(() => requireHide(review({ hiddenAt: now }), admin, 'r1', '욕설'))).toBe('NOT_FOUND');
  });

  it('takes the review out of the stats, as deleting does', () => {
    expect([counts(review()), counts(review({ hiddenAt: now })), counts(review({ deletedAt: now }))]).toEqual([
      true,
      false,
      false,
    ]);
  });
});
