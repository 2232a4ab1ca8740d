import type { Identity } from '@baedal/platform';
import type { OrderActor } from './lifecycle';

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
