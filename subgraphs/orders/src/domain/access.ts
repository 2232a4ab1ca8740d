import type { Identity } from '@baedal/platform';

/** An order is visible to its customer, to the owner of its shop, and to admins. */
export function canViewOrder(order: { customerId: string; shopOwnerId: string }, identity: Identity): boolean {
  if (identity.role === 'ADMIN') return true;
  if (!identity.userId) return false;
  return (identity.role === 'CUSTOMER' && order.customerId === identity.userId) || (identity.role === 'OWNER' && order.shopOwnerId === identity.userId);
}
