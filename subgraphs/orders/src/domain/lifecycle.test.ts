import { ORDER_STATUSES, decideTransition, nextStatus, type OrderStatus, type OrderTransition } from './lifecycle';

const LEGAL: Record<string, OrderStatus> = {
  'PENDING_PAYMENT:pay': 'PLACED',
  'PENDING_PAYMENT:cancel': 'CANCELED',
  'PLACED:accept': 'ACCEPTED',
  'PLACED:reject': 'REJECTED',
  'PLACED:cancel': 'CANCELED',
  'ACCEPTED:pickUp': 'PICKED_UP',
  'ACCEPTED:cancel': 'CANCELED',
  'PICKED_UP:deliver': 'DELIVERED',
  'PICKED_UP:cancel': 'CANCELED',
  'PENDING_PAYMENT:expire': 'EXPIRED',
};
const TRANSITIONS: OrderTransition[] = ['pay', 'accept', 'reject', 'pickUp', 'deliver', 'cancel', 'expire'];

describe('order lifecycle', () => {
  for (const status of ORDER_STATUSES) {
    for (const transition of TRANSITIONS) {
      const expected = LEGAL[`${status}:${transition}`];
      if (expected) {
        it(`${status} --${transition}--> ${expected}`, () => {
          expect(nextStatus(status, transition)).toBe(expected);
        });
      } else {
        it(`refuses ${transition} from ${status} with ORDER_STATE_CONFLICT`, () => {
          expect(() => nextStatus(status, transition)).toThrow(
            expect.objectContaining({ extensions: expect.objectContaining({ code: 'ORDER_STATE_CONFLICT', status }) }),
          );
        });
      }
    }
  }
});

describe('who may do what', () => {
  const code = (fn: () => unknown) => {
    try {
      fn();
      return 'ok';
    } catch (error) {
      return (error as { extensions: { code: string; field?: string } }).extensions.code;
    }
  };

  it('lets only the platform expire an unpaid order, and reject a paid one no shop accepted, with a reason', () => {
    expect(decideTransition('PENDING_PAYMENT', { transition: 'expire', actor: 'SYSTEM' }).status).toBe('EXPIRED');
    for (const actor of ['CUSTOMER', 'SHOP_OWNER', 'ADMIN'] as const)
      expect(code(() => decideTransition('PENDING_PAYMENT', { transition: 'expire', actor }))).toBe('FORBIDDEN');
    expect(decideTransition('PLACED', { transition: 'reject', actor: 'SYSTEM', reason: 'not accepted' }).status).toBe(
      'REJECTED',
    );
    expect(code(() => decideTransition('PLACED', { transition: 'reject', actor: 'SYSTEM' }))).toBe('BAD_USER_INPUT');
  });

  it('lets a customer cancel only before the shop accepts', () => {
    expect(decideTransition('PLACED', { transition: 'cancel', actor: 'CUSTOMER' }).status).toBe('CANCELED');
    expect(decideTransition('PENDING_PAYMENT', { transition: 'cancel', actor: 'CUSTOMER' }).status).toBe('CANCELED');
    expect(code(() => decideTransition('ACCEPTED', { transition: 'cancel', actor: 'CUSTOMER' }))).toBe(
      'ORDER_STATE_CONFLICT',
    );
    expect(code(() => decideTransition('PICKED_UP', { transition: 'cancel', actor: 'CUSTOMER' }))).toBe(
      'ORDER_STATE_CONFLICT',
    );
  });

  it('lets the owner or an admin cancel later, with a reason', () => {
    expect(
      decideTransition('ACCEPTED', { transition: 'cancel', actor: 'SHOP_OWNER', reason: '재료 소진' }),
    ).toMatchObject({ status: 'CANCELED', reason: '재료 소진' });
    expect(code(() => decideTransition('ACCEPTED', { transition: 'cancel', actor: 'ADMIN' }))).toBe('BAD_USER_INPUT');
  });

  it('needs a cooking time to accept and a reason to reject', () => {
    expect(
      decideTransition('PLACED', { transition: 'accept', actor: 'SHOP_OWNER', estimatedCookingMinutes: 25 }),
    ).toMatchObject({ status: 'ACCEPTED', estimatedCookingMinutes: 25 });
    expect(code(() => decideTransition('PLACED', { transition: 'accept', actor: 'SHOP_OWNER' }))).toBe(
      'BAD_USER_INPUT',
    );
    expect(
      code(() =>
        decideTransition('PLACED', { transition: 'accept', actor: 'SHOP_OWNER', estimatedCookingMinutes: 121 }),
      ),
    ).toBe('BAD_USER_INPUT');
    expect(code(() => decideTransition('PLACED', { transition: 'reject', actor: 'SHOP_OWNER', reason: ' ' }))).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('refuses transitions to actors they are not for', () => {
    expect(
      code(() => decideTransition('PLACED', { transition: 'accept', actor: 'CUSTOMER', estimatedCookingMinutes: 20 })),
    ).toBe('FORBIDDEN');
    expect(code(() => decideTransition('PENDING_PAYMENT', { transition: 'pay', actor: 'ADMIN' }))).toBe('FORBIDDEN');
    expect(code(() => decideTransition('ACCEPTED', { transition: 'pickUp', actor: 'SHOP_OWNER' }))).toBe('FORBIDDEN');
  });
});
