import { forbidden, requireRole, requireSignedIn, type Identity } from '@baedal/platform';
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

/** A customer's own orders; an admin's view of anyone's. */
export function requireOrdersOf(customerId: string, identity: Identity): void {
  if (identity.userId !== customerId && identity.role !== 'ADMIN') throw forbidden('You can only see your own orders');
}
