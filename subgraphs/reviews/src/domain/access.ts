import { forbidden, requireRole, type Identity } from '@baedal/platform';

/*
 * Who may do what with reviews. Pure: the callers read the rows. The role is
 * checked before anything is read, the order's owner once it is.
 */

/** Only customers write reviews; answers the customer's id. */
export function requireReviewer(identity: Identity): string {
  return requireRole(identity, 'CUSTOMER');
}

/** A customer reviews only an order that was theirs. */
export function requireOwnOrder(reviewable: { customerId: string }, customerId: string): void {
  if (reviewable.customerId !== customerId) throw forbidden('You can only review your own orders');
}
