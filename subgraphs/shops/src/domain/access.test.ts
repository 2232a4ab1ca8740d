import { refusalOf } from '@baedal/platform/testing';
import { ANONYMOUS } from '@baedal/platform';
import { canSeeEmail, requireOwnShop, requireShopOwner } from './access';

describe('who may change a shop', () => {
  it('is a signed-in owner', () => {
    expect(requireShopOwner({ userId: 'o1', role: 'OWNER' })).toBe('o1');
    expect(refusalOf(() => requireShopOwner({ userId: 'c1', role: 'CUSTOMER' }))).toBe('FORBIDDEN');
    expect(refusalOf(() => requireShopOwner({ userId: 'a1', role: 'ADMIN' }))).toBe('FORBIDDEN');
    expect(refusalOf(() => requireShopOwner(ANONYMOUS))).toBe('UNAUTHENTICATED');
  });

  it('is the owner of that shop, no other', () => {
    expect(refusalOf(() => requireOwnShop({ ownerId: 'o1' }, 'o1'))).toBe('allowed');
    expect(refusalOf(() => requireOwnShop({ ownerId: 'o1' }, 'o2'))).toBe('FORBIDDEN');
  });
});

describe("who sees an account's email", () => {
  const account = { id: 'u1' };
  it('is the account itself, also while signing in, and admins', () => {
    expect(canSeeEmail(account, { userId: 'u1', role: 'CUSTOMER' })).toBe(true);
    expect(canSeeEmail(account, ANONYMOUS, true)).toBe(true);
    expect(canSeeEmail(account, { userId: 'a1', role: 'ADMIN' })).toBe(true);
  });

  it('is nobody else', () => {
    expect(canSeeEmail(account, { userId: 'u2', role: 'CUSTOMER' })).toBe(false);
    expect(canSeeEmail(account, { userId: 'o1', role: 'OWNER' })).toBe(false);
    expect(canSeeEmail(account, ANONYMOUS)).toBe(false);
  });
});
