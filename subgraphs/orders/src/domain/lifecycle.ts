import { DomainError } from '@baedal/platform';

export const ORDER_STATUSES = ['PENDING_PAYMENT', 'PLACED', 'ACCEPTED', 'REJECTED', 'PICKED_UP', 'DELIVERED', 'CANCELED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** What can happen to an order, named as the lifecycle events are. */
export type OrderTransition = 'pay' | 'accept' | 'reject' | 'pickUp' | 'deliver' | 'cancel';

const TRANSITIONS: Record<OrderTransition, Partial<Record<OrderStatus, OrderStatus>>> = {
  pay: { PENDING_PAYMENT: 'PLACED' },
  accept: { PLACED: 'ACCEPTED' },
  reject: { PLACED: 'REJECTED' },
  pickUp: { ACCEPTED: 'PICKED_UP' },
  deliver: { PICKED_UP: 'DELIVERED' },
  cancel: { PENDING_PAYMENT: 'CANCELED', PLACED: 'CANCELED', ACCEPTED: 'CANCELED', PICKED_UP: 'CANCELED' },
};

/** The status after `transition`, or ORDER_STATE_CONFLICT when the order's status does not allow it. */
export function nextStatus(current: OrderStatus, transition: OrderTransition): OrderStatus {
  const next = TRANSITIONS[transition][current];
  if (!next) {
    throw new DomainError('ORDER_STATE_CONFLICT', `An order that is ${current} cannot ${transition === 'pickUp' ? 'be picked up' : transition}`, {
      status: current,
      transition,
    });
  }
  return next;
}

export function isTerminal(status: OrderStatus): boolean {
  return status === 'DELIVERED' || status === 'REJECTED' || status === 'CANCELED';
}
