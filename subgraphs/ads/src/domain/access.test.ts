import { ANONYMOUS } from '@baedal/platform';
import { requireAdvertiser, requireOwnShop } from './access';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'allowed';
  } catch (error) {
    return (error as { extensions: { code: string } }).extensions.code;
  }
};

describe('who may advertise a shop', () => {
  it('is a signed-in owner', () => {
    expect(requireAdvertiser({ userId: 'o1', role: 'OWNER' })).toBe('o1');
    expect(codeOf(() => requireAdvertiser({ userId: 'c1', role: 'CUSTOMER' }))).toBe('FORBIDDEN');
    expect(codeOf(() => requireAdvertiser(ANONYMOUS))).toBe('UNAUTHENTICATED');
  });

  it('is the owner of that shop, no other', () => {
    expect(codeOf(() => requireOwnShop({ ownerId: 'o1' }, 'o1'))).toBe('allowed');
    expect(codeOf(() => requireOwnShop({ ownerId: 'o1' }, 'o2'))).toBe('FORBIDDEN');
  });
});
