import { forbidden, type Identity } from '@baedal/platform';
import type { CouponCampaign, CouponClaim, Payment } from '@baedal/prisma/payments';
import { db, type Context } from './db';
import {
  paymentViewOf,
  requirePayingCustomer,
  requirePaymentViewer,
  requireVisiblePayment,
  type PaymentView,
} from './domain/access';

/* What the payments subgraph reads beyond its loaders, each behind its access rule. */

/** A payment with how much of it its caller sees (domain/access.ts); a part it does not show is refused. */
export type ShownPayment = Payment & { view: PaymentView };

/** A payment its caller paid (or any, for an admin); null for an unknown id. */
export async function visiblePayment(id: string, { identity, loaders }: Context): Promise<ShownPayment | null> {
  const payment = await loaders.payment.load(id);
  requirePaymentViewer(identity);
  if (!payment) return null;
  requireVisiblePayment(payment, identity);
  return { ...payment, view: 'ALL' };
}

/**
 * An order's payment, as much of it as the caller may see: checked here, not
 * taken on the word of the subgraph that showed the caller the order.
 */
export async function orderPayment(orderId: string, { identity, loaders }: Context): Promise<ShownPayment | null> {
  const payment = await loaders.paymentOfOrder.load(orderId);
  if (!payment) return null;
  const view = paymentViewOf(payment, payment.shopOwnerId, identity);
  if (!view) throw forbidden("This order's payment is not yours to see");
  return { ...payment, view };
}

export function couponCampaign(id: string): Promise<CouponCampaign | null> {
  return db.couponCampaign.findUnique({ where: { id } });
}

/** The signed-in customer's coupons, newest first. */
export function myCoupons(identity: Identity): Promise<CouponClaim[]> {
  return db.couponClaim.findMany({
    where: { customerId: requirePayingCustomer(identity) },
    orderBy: { claimedAt: 'desc' },
  });
}
