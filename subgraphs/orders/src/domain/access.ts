import type { Identity } from '@baedal/platform';
import type { OrderActor } from './lifecycle';

/** An order is visible to its customer, to the owner of its shop, and to admins. */
export function canViewOrder(order: { customerId: string; shopOwnerId: string }, identity: Identity): boolean {
  if (identity.role === 'ADMIN') return true;
  if (!identity.userId) return false;
  return (identity.role === 'CUSTOMER' && order.customerId === identity.userId) || (identity.role === 'OWNER' && order.shopOwnerId === identity.userId);
}

/** The part the caller plays for this order, or null when it is none of theirs. */
export function actorFor(order: { customerId: string; shopOwnerId: string }, identity: Identity): OrderActor | null {
  if (identity.role === 'ADMIN') return 'ADMIN';
  if (identity.role === 'CUSTOMER' && identity.userId === order.customerId) return 'CUSTOMER';
  if (identity.role === 'OWNER' && identity.userId === order.shopOwnerId) return 'SHOP_OWNER';
  return null;
}
