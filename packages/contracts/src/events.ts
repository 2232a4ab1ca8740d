import type {
  EventEnvelope as AnyEnvelope,
  EventType as AnyEventType,
  Handler as AnyHandler,
  Handlers as AnyHandlers,
  ManyHandler as AnyManyHandler,
  NewEvent as AnyNewEvent,
  Routes,
} from '@baedal/events';
import type { AdPlacementsSnapshot } from './ads';
import type { OrderSnapshot } from './orders';
import type { AccountClosed, AccountOpened } from './accounts';
import type { AdTopUpApproved, PaymentOutcome, PaymentRefunded, PaymentRefusal } from './payments';
import type { ReviewChanged, ReviewStats } from './reviews';
import type { MenuSnapshot, ShopInfo } from './shops';

/*
 * Every event in Baedal: its type, its payload and which domains consume it.
 * docs/events.md describes the same catalogue for people; keep them in step.
 * Each domain's worker.ts declares its consumers' handlers; a test checks that
 * they handle exactly the types routed to them here.
 */

export interface EventPayloads {
  'shop.registered': ShopInfo;
  'shop.updated': ShopInfo;
  'shop.opened': ShopInfo;
  'shop.closed': ShopInfo;
  'menu.updated': MenuSnapshot;
  'ad.placement.changed': AdPlacementsSnapshot;
  'review.stats.changed': ReviewStats;
  'review.changed': ReviewChanged;
  'order.created': OrderSnapshot;
  'order.placed': OrderSnapshot;
  'order.accepted': OrderSnapshot;
  'order.rejected': OrderSnapshot;
  'order.picked_up': OrderSnapshot;
  'order.delivered': OrderSnapshot;
  'order.canceled': OrderSnapshot;
  'order.expired': OrderSnapshot;
  'payment.approved': PaymentOutcome;
  'payment.declined': PaymentOutcome;
  'payment.refused': PaymentRefusal;
  'payment.refunded': PaymentRefunded;
  'payment.adTopUp.approved': AdTopUpApproved;
  'account.opened': AccountOpened;
  'account.closed': AccountClosed;
}

export type EventType = AnyEventType<EventPayloads>;
export type OrderEventType = Extract<EventType, `order.${string}`>;
export type EventEnvelope<T extends EventType = EventType> = AnyEnvelope<EventPayloads, T>;
export type NewEvent<T extends EventType = EventType> = AnyNewEvent<EventPayloads, T>;
export type Handler<Tx, T extends EventType = EventType> = AnyHandler<EventPayloads, Tx, T>;
export type ManyHandler<Tx, T extends EventType = EventType> = AnyManyHandler<EventPayloads, Tx, T>;
export type Handlers<Tx> = AnyHandlers<EventPayloads, Tx>;

/** Builds a typed event; keeps call sites short. */
export function event<T extends EventType>(
  type: T,
  aggregateId: string,
  version: number,
  payload: EventPayloads[T],
): NewEvent<T> {
  return { type, aggregateId, version, payload };
}

/** Domains that consume events; each has its own BullMQ queue of this name. */
export const CONSUMERS = ['shops', 'orders', 'ads', 'reviews', 'payments', 'delivery', 'accounts', 'realtime'] as const;
export type Consumer = (typeof CONSUMERS)[number];

/** Fan-out: which consumers' queues receive each event type. */
export const ROUTES: Routes<EventPayloads> & { readonly [T in EventType]: readonly Consumer[] } = {
  'shop.registered': ['shops', 'orders', 'ads', 'payments'],
  'shop.updated': ['shops', 'orders', 'ads', 'payments'],
  'shop.opened': ['shops', 'orders', 'ads', 'payments'],
  'shop.closed': ['shops', 'orders', 'ads', 'payments'],
  'menu.updated': ['shops', 'orders'],
  'ad.placement.changed': ['shops'],
  'review.stats.changed': ['shops'],
  'review.changed': ['shops'],
  // realtime: the live order feed (orders/src/realtime.ts), which the apps' subscriptions read.
  'order.created': ['payments', 'realtime'],
  'order.placed': ['shops', 'payments', 'realtime'],
  'order.accepted': ['delivery', 'realtime'],
  'order.rejected': ['payments', 'realtime'],
  'order.picked_up': ['delivery', 'realtime'],
  // ads: the OPEN_LIST fee for the order.
  'order.delivered': ['reviews', 'ads', 'realtime'],
  'order.canceled': ['payments', 'realtime'],
  'order.expired': ['payments', 'realtime'],
  'payment.approved': ['orders'],
  'payment.declined': [],
  'payment.refused': ['payments'],
  // ads: an OPEN_LIST fee for the order is reversed.
  'payment.refunded': ['ads'],
  'payment.adTopUp.approved': ['ads'],
  'account.opened': ['accounts'],
  'account.closed': ['accounts'],
};
