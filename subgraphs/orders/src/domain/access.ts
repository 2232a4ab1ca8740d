import { badInput, forbidden, requireRole, requireSignedIn, type Identity } from '@baedal/platform';
import type { OrderActor } from './lifecycle';

/*
 * Who may see and change orders. Pure: the callers read the rows.
 */

/** The part the caller plays for this order, or null when it is none of theirs. */
export function actorFor(order: { customerId: string; shopOwnerId: string }, identity: Identity): OrderActor | null {
  if (identity.role === 'ADMIN') return 'ADMIN';
  if (identity.role === 'CUSTOMER' && identity.userId === order.customerId) return 'CUSTOMER';
  if (identity.role === 'OWNER' && identity.userId === order.shopOwnerId) return 'SHOP_OWNER';
  return null;
}

/** An order is visible to whoever plays a part in it: its customer, its shop's owner, admins. */
export function canViewOrder(order: { customerId: string; shopOwnerId: string }, identity: Identity): boolean {
  return actorFor(order, identity) !== null;
}

/** Only the order's customer pays for it, and only while it waits for payment. */
export function canPayOrder(
  order: { customerId: string; shopOwnerId: string; status: string },
  identity: Identity,
): boolean {
  return order.status === 'PENDING_PAYMENT' && actorFor(order, identity) === 'CUSTOMER';
}

/** Only customers place orders; answers the customer's id. */
export function requireOrderingCustomer(identity: Identity): string {
  return requireRole(identity, 'CUSTOMER');
}

/** Seeing an order needs a signed-in caller (checked before the order is read) who plays a part in it. */
export function requireOrderViewer(identity: Identity): void {
  requireSignedIn(identity);
}

export function requireVisibleOrder(order: { customerId: string; shopOwnerId: string }, identity: Identity): void {
  if (!canViewOrder(order, identity)) throw forbidden('This order is not yours to see');
}

/** A shop's orders are for its owner and admins; answers the caller's id once the role allows it. */
export function requireShopOrdersViewer(identity: Identity): string {
  return requireRole(identity, 'OWNER', 'ADMIN');
}

export function requireOwnShopOrders(shop: { ownerId: string }, identity: Identity): void {
  if (identity.role !== 'ADMIN' && shop.ownerId !== identity.userId) {
    throw forbidden('You can only see orders of your own shops');
  }
}

/** Live order events: an owner follows their shops', a customer their own orders'. */
export const SHOP_FEED_EVENTS: ReadonlySet<string> = new Set([
  'order.placed',
  'order.canceled',
  'order.rejected',
  'order.expired',
]);

/** Only owners follow their shops' orders live. */
export function requireShopFeedOwner(identity: Identity): string {
  return requireRole(identity, 'OWNER');
}

/** Only the customer who placed an order follows its steps live. */
export function requireOrderFollower(order: { customerId: string }, identity: Identity): void {
  if (identity.role !== 'CUSTOMER' || order.customerId !== identity.userId) {
    throw forbidden('Only the customer who placed this order can follow it');
  }
}

/** Ids are UUIDs: anything else is a mistake, said so, rather than an order that is not found. */
export function requireWellFormedId(field: string, id: string): void {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    throw badInput(field, `${field} must be an id such as an earlier answer gave`);
  }
}

/** A customer's own orders; an admin's view of anyone's. */
export function requireOrdersOf(customerId: string, identity: Identity): void {
  if (identity.userId !== customerId && identity.role !== 'ADMIN') throw forbidden('You can only see your own orders');
}
