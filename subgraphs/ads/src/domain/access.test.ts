import { refusalOf } from '@baedal/platform/testing';
import { ANONYMOUS } from '@baedal/platform';
import { requireAdvertiser, requireOwnShop } from './access';

describe('who may advertise a shop', () => {
  it('is a signed-in owner', () => {
    expect(requireAdvertiser({ userId: 'o1', role: 'OWNER' })).toBe('o1');
    expect(refusalOf(() => requireAdvertiser({ userId: 'c1', role: 'CUSTOMER' }))).toBe('FORBIDDEN');
    expect(refusalOf(() => requireAdvertiser(ANONYMOUS))).toBe('UNAUTHENTICATED');
  });

  it('is the owner of that shop, no other', () => {
    expect(refusalOf(() => requireOwnShop({ ownerId: 'o1' }, 'o1'))).toBe('allowed');
    expect(refusalOf(() => requireOwnShop({ ownerId: 'o1' }, 'o2'))).toBe('FORBIDDEN');
  });
});
