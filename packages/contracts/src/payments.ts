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

/** Orders' word that an approved payment does not match its order: the order stays unpaid and flagged, and payments refunds. */
export interface PaymentRefusal {
  paymentId: string;
  orderId: string;
  /** The customer the payment was made for. */
  customerId: string;
  /** won charged */
  amount: number;
  /** won taken off by a coupon */
  discount: number;
  /** What the order costs, in won, as orders knows it. */
  total: number;
  /** Why, in a sentence. */
  reason: string;
}

/** Money paid into a shop's ad wallet, charged by a provider: ads credits the wallet once per top-up. */
export interface AdTopUpApproved {
  topUpId: string;
  shopId: string;
  ownerId: string;
  /** won charged */
  amount: number;
}

/** An approved payment given back to the customer (its order was rejected, canceled, expired or refused). */
export interface PaymentRefunded {
  paymentId: string;
  orderId: string;
  /** won given back */
  amount: number;
}
