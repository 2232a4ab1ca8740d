import { ORDER_STATUSES, nextStatus, type OrderStatus, type OrderTransition } from './lifecycle';

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
};
const TRANSITIONS: OrderTransition[] = ['pay', 'accept', 'reject', 'pickUp', 'deliver', 'cancel'];

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
          expect(() => nextStatus(status, transition)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'ORDER_STATE_CONFLICT', status }) }));
        });
      }
    }
  }
});
