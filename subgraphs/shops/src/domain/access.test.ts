import { ANONYMOUS } from '@baedal/platform';
import { canSeeEmail, requireOwnShop, requireShopOwner } from './access';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'allowed';
  } catch (error) {
    return (error as { extensions: { code: string } }).extensions.code;
  }
};

describe('who may change a shop', () => {
  it('is a signed-in owner', () => {
    expect(requireShopOwner({ userId: 'o1', role: 'OWNER' })).toBe('o1');
    expect(codeOf(() => requireShopOwner({ userId: 'c1', role: 'CUSTOMER' }))).toBe('FORBIDDEN');
    expect(codeOf(() => requireShopOwner({ userId: 'a1', role: 'ADMIN' }))).toBe('FORBIDDEN');
    expect(codeOf(() => requireShopOwner(ANONYMOUS))).toBe('UNAUTHENTICATED');
  });

  it('is the owner of that shop, no other', () => {
    expect(codeOf(() => requireOwnShop({ ownerId: 'o1' }, 'o1'))).toBe('allowed');
    expect(codeOf(() => requireOwnShop({ ownerId: 'o1' }, 'o2'))).toBe('FORBIDDEN');
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
