/* What payments publishes: a payment's outcome. */

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
