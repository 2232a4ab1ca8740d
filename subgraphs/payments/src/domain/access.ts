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

/**
 * How much of an order's payment a caller sees: all of it for the customer
 * who paid and for admins; only its status and amount for the owner of the
 * order's shop; nothing for anyone else. Checked here, whichever path asked
 * (a root field, an order's payment, an entity the gateway fetched).
 */
export type PaymentView = 'ALL' | 'STATUS_AND_AMOUNT';

export function paymentViewOf(
  payment: { customerId: string },
  shopOwnerId: string | null,
  identity: Identity,
): PaymentView | null {
  if (identity.role === 'ADMIN' || (identity.userId !== null && payment.customerId === identity.userId)) return 'ALL';
  if (identity.role === 'OWNER' && shopOwnerId !== null && shopOwnerId === identity.userId) return 'STATUS_AND_AMOUNT';
  return null;
}

/** Refuses a part of a payment its view does not show. */
export function requireWholePayment(view: PaymentView | undefined): void {
  if (view !== 'ALL') throw forbidden("A shop's owner sees a payment's status and amount, not how it was paid");
}
