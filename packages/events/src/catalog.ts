import type { OpeningInterval } from '@baedal/platform';

/*
 * Every event in the system: its type, its payload and which domains consume
 * it. docs/events.md describes the same catalogue for people; keep them in step.
 */

/** A shop's terms as customers and ordering see them: the whole state, so consumers need no other source. */
export interface ShopInfo {
  shopId: string;
  ownerId: string;
  name: string;
  category: string;
  description: string;
  minimumOrder: number;
  deliveryFee: number;
  deliveryAreas: string[];
  openingHours: OpeningInterval[];
  isOpen: boolean;
}

export interface MenuOptionDoc {
  id: string;
  name: string;
  price: number;
}

export interface MenuOptionGroupDoc {
  id: string;
  name: string;
  minSelect: number;
  maxSelect: number;
  options: MenuOptionDoc[];
}

export interface MenuItemDoc {
  id: string;
  name: string;
  description: string;
  price: number;
  soldOut: boolean;
  optionGroups: MenuOptionGroupDoc[];
}

export interface MenuGroupDoc {
  id: string;
  name: string;
  items: MenuItemDoc[];
}

/** The shop's whole menu, in display order. */
export interface MenuSnapshot {
  shopId: string;
  groups: MenuGroupDoc[];
}

export interface AdPlacementDoc {
  campaignId: string;
  area: string;
  product: 'ULTRA_CALL' | 'OPEN_LIST';
  startsAt: string;
  endsAt: string;
}

/** Every placement of the shop that is running or scheduled. */
export interface AdPlacementsSnapshot {
  shopId: string;
  placements: AdPlacementDoc[];
}

export interface ReviewStats {
  shopId: string;
  reviewCount: number;
  ratingSum: number;
}

/** An order's state after a lifecycle change. */
export interface OrderSnapshot {
  orderId: string;
  customerId: string;
  shopId: string;
  status: 'PENDING_PAYMENT' | 'PLACED' | 'ACCEPTED' | 'REJECTED' | 'PICKED_UP' | 'DELIVERED' | 'CANCELED';
  /** won */
  itemsTotal: number;
  /** won */
  deliveryFee: number;
  /** won */
  total: number;
  deliveryArea: string;
  /** Why it was rejected or canceled. */
  reason: string | null;
  estimatedCookingMinutes: number | null;
  /** The payment that placed it; null when the development switch did. */
  paymentId: string | null;
}

/** A payment's outcome. */
export interface PaymentOutcome {
  paymentId: string;
  orderId: string;
  customerId: string;
  /** won charged */
  amount: number;
  /** won taken off by a coupon */
  discount: number;
  provider: string | null;
  /** Why it was declined. */
  reason: string | null;
}

export interface EventPayloads {
  'shop.registered': ShopInfo;
  'shop.updated': ShopInfo;
  'shop.opened': ShopInfo;
  'shop.closed': ShopInfo;
  'menu.updated': MenuSnapshot;
  'ad.placement.changed': AdPlacementsSnapshot;
  'review.stats.changed': ReviewStats;
  'order.created': OrderSnapshot;
  'order.placed': OrderSnapshot;
  'order.accepted': OrderSnapshot;
  'order.rejected': OrderSnapshot;
  'order.picked_up': OrderSnapshot;
  'order.delivered': OrderSnapshot;
  'order.canceled': OrderSnapshot;
  'payment.approved': PaymentOutcome;
  'payment.declined': PaymentOutcome;
}

export type OrderEventType = Extract<EventType, `order.${string}`>;

export type EventType = keyof EventPayloads;

/** Domains that consume events; each has its own BullMQ queue of this name. */
export const CONSUMERS = ['shops', 'orders', 'ads', 'reviews', 'payments', 'delivery'] as const;
export type Consumer = (typeof CONSUMERS)[number];

/**
 * Consumers whose events travel one to a job and are applied one to a transaction (the relay and
 * startConsumer both read this): the rider simulator waits on purpose in each event, so its events must
 * not wait for each other in one job or batch; its worker's concurrency runs several riders at once.
 */
export const ONE_EVENT_PER_JOB: readonly Consumer[] = ['delivery'];

/** Fan-out: which consumers' queues receive each event type. */
export const ROUTES: Record<EventType, readonly Consumer[]> = {
  'shop.registered': ['shops', 'orders', 'ads'],
  'shop.updated': ['shops', 'orders', 'ads'],
  'shop.opened': ['shops', 'orders', 'ads'],
  'shop.closed': ['shops', 'orders', 'ads'],
  'menu.updated': ['shops', 'orders'],
  'ad.placement.changed': ['shops'],
  'review.stats.changed': ['shops'],
  'order.created': ['payments'],
  'order.placed': ['shops', 'payments'],
  'order.accepted': ['delivery'],
  'order.rejected': ['payments'],
  'order.picked_up': ['delivery'],
  'order.delivered': ['reviews'],
  'order.canceled': ['payments'],
  'payment.approved': ['orders'],
  'payment.declined': [],
};

/**
 * What travels on a queue. `version` is the version of the aggregate
 * (`aggregateId`) after the change, so a consumer can ignore an event older
 * than what it already applied.
 */
export interface EventEnvelope<T extends EventType = EventType> {
  id: string;
  type: T;
  version: number;
  occurredAt: string;
  aggregateId: string;
  payload: EventPayloads[T];
}
