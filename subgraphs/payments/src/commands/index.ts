/*
 * Payments' commands, one file each: paying for an order (pay.ts, with its
 * statement in writePayments.ts), settling a provider's answer (settle.ts),
 * refunding (refund.ts), reconciling what a crash left pending (reconcile.ts),
 * first-come-first-served coupons (coupons.ts), and ad wallet top-ups
 * (topUp.ts). docs/payments.md names
 * the saga they take part in.
 */
export { payOrder, type PayOrderInput } from './pay';
export { refundPayment } from './refund';
export { topUpAdWallet, type TopUpInput } from './topUp';
export { reconcilePayment, reconcilePayments } from './reconcile';
export {
  CLAIMS_QUEUE,
  claimCoupon,
  closeCoupons,
  createCampaign,
  persistClaim,
  reconcileCampaign,
  remainingStock,
  type ReconcileReport,
} from './coupons';
