import { event, ORDER_STATUSES, type OrderSnapshot, type OrderStatus } from '@baedal/contracts';
import { badInput, DomainError } from '@baedal/platform';

export { ORDER_STATUSES, type OrderStatus };

/** What can happen to an order, named as the lifecycle events are. */
export type OrderTransition = 'pay' | 'accept' | 'reject' | 'pickUp' | 'deliver' | 'cancel' | 'expire';

const TRANSITIONS: Record<OrderTransition, Partial<Record<OrderStatus, OrderStatus>>> = {
  pay: { PENDING_PAYMENT: 'PLACED' },
  accept: { PLACED: 'ACCEPTED' },
  reject: { PLACED: 'REJECTED' },
  pickUp: { ACCEPTED: 'PICKED_UP' },
  deliver: { PICKED_UP: 'DELIVERED' },
  cancel: { PENDING_PAYMENT: 'CANCELED', PLACED: 'CANCELED', ACCEPTED: 'CANCELED', PICKED_UP: 'CANCELED' },
  expire: { PENDING_PAYMENT: 'EXPIRED' },
};

/** The status after `transition`, or ORDER_STATE_CONFLICT when the order's status does not allow it. */
export function nextStatus(current: OrderStatus, transition: OrderTransition): OrderStatus {
  const next = TRANSITIONS[transition][current];
  if (!next) {
    throw new DomainError(
      'ORDER_STATE_CONFLICT',
      `An order that is ${current} cannot ${transition === 'pickUp' ? 'be picked up' : transition}`,
      {
        status: current,
        transition,
      },
    );
  }
  return next;
}

export function isTerminal(status: OrderStatus): boolean {
  return status === 'DELIVERED' || status === 'REJECTED' || status === 'CANCELED' || status === 'EXPIRED';
}

/** Who is asking for a transition, as far as the rules care. */
export type OrderActor = 'CUSTOMER' | 'SHOP_OWNER' | 'ADMIN' | 'SYSTEM';

const ALLOWED_ACTORS: Record<OrderTransition, readonly OrderActor[]> = {
  pay: ['SYSTEM'],
  accept: ['SHOP_OWNER', 'ADMIN'],
  // The platform rejects a paid order the shop did not accept in time (expireOrders).
  reject: ['SHOP_OWNER', 'ADMIN', 'SYSTEM'],
  pickUp: ['SYSTEM', 'ADMIN'],
  deliver: ['SYSTEM', 'ADMIN'],
  cancel: ['CUSTOMER', 'SHOP_OWNER', 'ADMIN', 'SYSTEM'],
  expire: ['SYSTEM'],
};

export const MIN_COOKING_MINUTES = 5;
export const MAX_COOKING_MINUTES = 120;
export const MAX_REASON_LENGTH = 200;

export interface TransitionRequest {
  transition: OrderTransition;
  actor: OrderActor;
  reason?: string | null;
  estimatedCookingMinutes?: number | null;
}

/**
 * The status after the request, or why not: FORBIDDEN for an actor the
 * transition is not for, ORDER_STATE_CONFLICT for a status that does not
 * allow it (a customer cancels only before the shop accepts), BAD_USER_INPUT
 * for a missing reason or cooking time.
 */
export function decideTransition(
  current: OrderStatus,
  request: TransitionRequest,
): { status: OrderStatus; reason: string | null; estimatedCookingMinutes: number | null } {
  if (!ALLOWED_ACTORS[request.transition].includes(request.actor)) {
    throw new DomainError(
      'FORBIDDEN',
      `Only ${ALLOWED_ACTORS[request.transition].map((a) => a.toLowerCase().replace('_', ' ')).join(' or ')} may ${request.transition} an order`,
    );
  }
  const status = nextStatus(current, request.transition);
  if (
    request.transition === 'cancel' &&
    request.actor === 'CUSTOMER' &&
    current !== 'PENDING_PAYMENT' &&
    current !== 'PLACED'
  ) {
    throw new DomainError(
      'ORDER_STATE_CONFLICT',
      `The shop has ${current === 'ACCEPTED' ? 'accepted' : 'moved on with'} this order; ask the shop to cancel it`,
      { status: current, transition: 'cancel' },
    );
  }
  const reason = request.reason?.trim() || null;
  const reasonRequired =
    request.transition === 'reject' ||
    (request.transition === 'cancel' && (request.actor === 'SHOP_OWNER' || request.actor === 'ADMIN'));
  if (reasonRequired && !reason) throw badInput('reason', 'A reason is required');
  if (reason && reason.length > MAX_REASON_LENGTH)
    throw badInput('reason', `reason must be at most ${MAX_REASON_LENGTH} characters`);
  let estimatedCookingMinutes: number | null = null;
  if (request.transition === 'accept') {
    const minutes = request.estimatedCookingMinutes;
    if (!Number.isInteger(minutes) || minutes! < MIN_COOKING_MINUTES || minutes! > MAX_COOKING_MINUTES) {
      throw badInput(
        'estimatedCookingMinutes',
        `estimatedCookingMinutes must be from ${MIN_COOKING_MINUTES} to ${MAX_COOKING_MINUTES}`,
      );
    }
    estimatedCookingMinutes = minutes!;
  }
  return { status, reason, estimatedCookingMinutes };
}

/** The lifecycle event each status is announced with. */
export const STATUS_EVENT = {
  PENDING_PAYMENT: 'order.created',
  PLACED: 'order.placed',
  ACCEPTED: 'order.accepted',
  REJECTED: 'order.rejected',
  PICKED_UP: 'order.picked_up',
  DELIVERED: 'order.delivered',
  CANCELED: 'order.canceled',
  EXPIRED: 'order.expired',
} as const satisfies Record<OrderStatus, string>;

/** What an order event says about the order: its snapshot, by the order's own id, less a reason. */
export type OrderFacts = Omit<OrderSnapshot, 'orderId' | 'reason'> & { id: string };

export function orderSnapshot(order: OrderFacts, reason: string | null = null): OrderSnapshot {
  return {
    orderId: order.id,
    customerId: order.customerId,
    shopId: order.shopId,
    shopOwnerId: order.shopOwnerId,
    status: order.status,
    itemsTotal: order.itemsTotal,
    deliveryFee: order.deliveryFee,
    total: order.total,
    deliveryArea: order.deliveryArea,
    reason,
    estimatedCookingMinutes: order.estimatedCookingMinutes,
    paymentId: order.paymentId,
  };
}

/** The event announcing the order's status after a change, at the order's version. */
export function orderStatusEvent(
  order: OrderFacts,
  status: OrderStatus,
  version: number,
  reason: string | null = null,
) {
  return event(STATUS_EVENT[status], order.id, version, { ...orderSnapshot(order, reason), status });
}
