import { ANONYMOUS } from '@baedal/platform';
import { MAX_TOP_UP, MIN_TOP_UP, requireTopUpPayer, validateTopUp } from './topUp';

const owner = { userId: 'o1', role: 'OWNER' as const };

describe('an ad wallet top-up', () => {
  it('is paid by the shop’s owner only', () => {
    expect(requireTopUpPayer(owner, { ownerId: 'o1' })).toBe('o1');
    expect(() => requireTopUpPayer(owner, { ownerId: 'o2' })).toThrow('your own shops');
    expect(() => requireTopUpPayer({ userId: 'c1', role: 'CUSTOMER' }, null)).toThrow('owner');
    expect(() => requireTopUpPayer(ANONYMOUS, null)).toThrow('signed in');
  });

  it('is whole won within the bounds, with a key', () => {
    expect(() => validateTopUp(MIN_TOP_UP, 'k')).not.toThrow();
    expect(() => validateTopUp(MAX_TOP_UP, 'k')).not.toThrow();
    expect(() => validateTopUp(MIN_TOP_UP - 1, 'k')).toThrow('amount');
    expect(() => validateTopUp(MAX_TOP_UP + 1, 'k')).toThrow('amount');
    expect(() => validateTopUp(10_000.5, 'k')).toThrow('whole won');
    expect(() => validateTopUp(MIN_TOP_UP, '')).toThrow('idempotencyKey');
    expect(() => validateTopUp(MIN_TOP_UP, 'k'.repeat(101))).toThrow('idempotencyKey');
  });
});
