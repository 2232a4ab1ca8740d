import { ANONYMOUS } from '@baedal/platform';
import { requireOwnOrder, requireReviewer } from './access';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'allowed';
  } catch (error) {
    return (error as { extensions: { code: string } }).extensions.code;
  }
};

describe('who may review an order', () => {
  it('is a signed-in customer', () => {
    expect(requireReviewer({ userId: 'c1', role: 'CUSTOMER' })).toBe('c1');
    expect(codeOf(() => requireReviewer({ userId: 'o1', role: 'OWNER' }))).toBe('FORBIDDEN');
    expect(codeOf(() => requireReviewer({ userId: 'a1', role: 'ADMIN' }))).toBe('FORBIDDEN');
    expect(codeOf(() => requireReviewer(ANONYMOUS))).toBe('UNAUTHENTICATED');
  });

  it('is the customer the order was delivered to, no other', () => {
    expect(codeOf(() => requireOwnOrder({ customerId: 'c1' }, 'c1'))).toBe('allowed');
    expect(codeOf(() => requireOwnOrder({ customerId: 'c1' }, 'c2'))).toBe('FORBIDDEN');
  });
});
