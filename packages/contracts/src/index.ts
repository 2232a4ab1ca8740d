/*
 * What Baedal's domains promise each other, as FTGO's `-api` modules do: the
 * shared vocabulary, each domain's events and where they go, and the few
 * rules one domain publishes for another to apply exactly as it does (each in
 * a file named for the domain that owns it). Mechanisms live in
 * @baedal/platform and @baedal/events; domain rules that no other domain
 * applies live in that domain's `domain/`.
 */
export { CATEGORIES, DELIVERY_AREAS, TIME_ZONE, type Category, type DeliveryArea } from './vocabulary';
export {
  CONSUMERS,
  ROUTES,
  event,
  type Consumer,
  type EventEnvelope,
  type EventPayloads,
  type EventType,
  type Handler,
  type Handlers,
  type ManyHandler,
  type NewEvent,
  type OrderEventType,
} from './events';
export type { MenuGroupDoc, MenuItemDoc, MenuOptionDoc, MenuOptionGroupDoc, MenuSnapshot, ShopInfo } from './shops';
export { isOpenAt, localTime, nextOpeningChange, parseOpeningHours, type OpeningInterval } from './openingHours';
export {
  AD_PRODUCTS,
  AD_PRODUCT_RANK,
  adRankOf,
  NO_AD,
  topPlacement,
  type AdPlacementDoc,
  type AdPlacementsSnapshot,
  type AdProduct,
} from './ads';
export { averageRating, type ReviewStats } from './reviews';
export { ORDER_STATUSES, type OrderSnapshot, type OrderStatus } from './orders';
export { CHARGE_TTL_SECONDS, signOrderCharge, verifyOrderCharge, type OrderCharge } from './orderCharge';
export type { AdTopUpApproved, PaymentOutcome, PaymentRefunded, PaymentRefusal } from './payments';
export type { AccountClosed, AccountOpened } from './accounts';
