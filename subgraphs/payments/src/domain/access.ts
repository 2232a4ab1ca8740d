import { forbidden, requireRole, requireSignedIn, type Identity } from '@baedal/platform';

/*
 * Who may do what with payments and coupons. Pure: the callers read the rows.
 */

/** Only customers pay, and claim coupons; answers the customer's id. */
export function requirePayingCustomer(identity: Identity): string {
  return requireRole(identity, 'CUSTOMER');
}

/** Only admins run coupon campaigns. */
export function requireCampaignAdmin(identity: Identity): void {
  requireRole(identity, 'ADMIN');
}

/** A payment is seen by a signed-in caller (checked first) who paid it, or an admin. */
export function requirePaymentViewer(identity: Identity): void {
  requireSignedIn(identity);
}

export function requireVisiblePayment(payment: { customerId: string }, identity: Identity): void {
  if (identity.role !== 'ADMIN' && payment.customerId !== identity.userId) {
    throw forbidden('This payment is not yours to see');
  }
}
