import { refusalOf } from '@baedal/platform/testing';
import { ANONYMOUS } from '@baedal/platform';
import { requireReviewer } from './access';

describe('who may review an order', () => {
  it('is a signed-in customer', () => {
    expect(requireReviewer({ userId: 'c1', role: 'CUSTOMER' })).toBe('c1');
    expect(refusalOf(() => requireReviewer({ userId: 'o1', role: 'OWNER' }))).toBe('FORBIDDEN');
    expect(refusalOf(() => requireReviewer({ userId: 'a1', role: 'ADMIN' }))).toBe('FORBIDDEN');
    expect(refusalOf(() => requireReviewer(ANONYMOUS))).toBe('UNAUTHENTICATED');
  });
});
