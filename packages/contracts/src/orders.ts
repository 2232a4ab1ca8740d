/* What orders publishes: an order's state after each step of its lifecycle. */

export const ORDER_STATUSES = [
  'PENDING_PAYMENT',
  'PLACED',
  'ACCEPTED',
  'REJECTED',
  'PICKED_UP',
  'DELIVERED',
  'CANCELED',
  'EXPIRED',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** An order's state after a lifecycle change. */
export interface OrderSnapshot {
  orderId: string;
  customerId: string;
  shopId: string;
  /** The shop's owner when the order was placed (payments shows the owner the payment's status and amount). */
  shopOwnerId: string;
  status: OrderStatus;
  /** won */
  itemsTotal: number;
  /** won */
  deliveryFee: number;
  /** won */
  total: number;
  deliveryArea: string;
  /** Why it was rejected or canceled. */
  reason: string | null;
  estimatedCookingMinutes: number | null;
  /** The payment that placed it; null when the development switch did. */
  paymentId: string | null;
}
