import { randomUUID } from 'node:crypto';
import type { EventEnvelope, Handlers, OrderEventType } from '@baedal/events';
import type { Prisma } from '@baedal/prisma/payments';
import { openLedger, refundPayment } from './commands';
import { persistClaim } from './coupons';
import { db } from './db';

/*
 * Payments publishes payment.approved and payment.declined (from commands.ts).
 * It consumes order events into a ledger of each order's newest known state
 * (payOrder reads totals and owners from it), records the payment of an order
 * placed by the development switch, and refunds a paid order that is rejected
 * or canceled, exactly once. Coupon claims arrive on their own queue.
 */

type Tx = Prisma.TransactionClient;

/** Records the order's newer state; returns false for an event older than what the ledger holds. */
async function advanceLedger(tx: Tx, e: EventEnvelope<OrderEventType>, canceled: boolean): Promise<boolean> {
  await openLedger(tx, e.payload);
  await tx.$queryRaw`SELECT 1 FROM "OrderLedger" WHERE "orderId" = ${e.payload.orderId} FOR UPDATE`;
  const { count } = await tx.orderLedger.updateMany({
    where: { orderId: e.payload.orderId, version: { lt: e.version } },
    data: { version: e.version, total: e.payload.total, ...(canceled ? { canceled: true } : {}) },
  });
  if (canceled && count === 0) await tx.orderLedger.update({ where: { orderId: e.payload.orderId }, data: { canceled: true } });
  return count > 0;
}

/** An order placed by the development switch has no payment of its own: record one, so that a cancel has something to refund. */
async function recordDevelopmentPayment(tx: Tx, e: EventEnvelope<'order.placed'>): Promise<void> {
  if (!(await advanceLedger(tx, e, false)) || e.payload.paymentId) return;
  const exists = await tx.payment.findFirst({ where: { orderId: e.payload.orderId } });
  if (exists) return;
  await tx.payment.create({
    data: { id: randomUUID(), orderId: e.payload.orderId, customerId: e.payload.customerId, amount: e.payload.total, method: 'DEV_AUTO_APPROVED', status: 'APPROVED' },
  });
}

async function refundOrder(tx: Tx, e: EventEnvelope<'order.canceled' | 'order.rejected'>): Promise<void> {
  await advanceLedger(tx, e, true);
  const payment = await tx.payment.findFirst({ where: { orderId: e.payload.orderId, status: 'APPROVED' } });
  if (!payment) return;
  // The provider refund is idempotent by key; the refund record commits with this event's bookkeeping.
  if (payment.provider && payment.providerTransactionId) {
    await refundPayment(payment, e.payload.reason ?? e.type, tx);
    return;
  }
  await tx.refund.create({ data: { id: randomUUID(), paymentId: payment.id, orderId: payment.orderId, amount: payment.amount, reason: e.payload.reason ?? e.type } });
  await tx.payment.update({ where: { id: payment.id }, data: { status: 'REFUNDED' } });
}

/** Consumer "payments". */
export const orderPayments: Handlers<Tx> = {
  'order.created': async (e, tx) => void (await advanceLedger(tx, e, false)),
  'order.placed': (e, tx) => recordDevelopmentPayment(tx, e),
  'order.rejected': (e, tx) => refundOrder(tx, e),
  'order.canceled': (e, tx) => refundOrder(tx, e),
};

/** The "coupon-claims" queue's handler. */
export function persistCouponClaim(claim: { claimId: string; campaignId: string; customerId: string; claimedAt: string }): Promise<void> {
  return persistClaim(db, claim);
}
