import type { Identity } from '@baedal/platform';
import type { CouponCampaign, CouponClaim, Payment } from '@baedal/prisma/payments';
import { db, type Context } from './db';
import { requirePayingCustomer, requirePaymentViewer, requireVisiblePayment } from './domain/access';

/* What the payments subgraph reads beyond its loaders, each behind its access rule. */

/** A payment its caller paid (or any, for an admin); null for an unknown id. */
export async function visiblePayment(id: string, { identity, loaders }: Context): Promise<Payment | null> {
  const payment = await loaders.payment.load(id);
  requirePaymentViewer(identity);
  if (payment) requireVisiblePayment(payment, identity);
  return payment;
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
