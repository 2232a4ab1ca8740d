import { randomUUID } from 'node:crypto';
import type { EventEnvelope, Handlers, OrderEventType } from '@baedal/events';
import type { Prisma } from '@baedal/prisma/payments';
import { refundPayment } from './commands';
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

/** Records the order's newer state (a cancel always sticks); returns false for an event older than what the ledger holds. */
async function advanceLedger(tx: Tx, e: EventEnvelope<OrderEventType>, canceled: boolean): Promise<boolean> {
  // One upsert, which locks the row as SELECT ... FOR UPDATE would. Versions of one order are distinct,
  // so the row holds the event's version afterwards exactly when the event was newer.
  const [ledger] = await tx.$queryRaw<{ version: number }[]>`
    INSERT INTO "OrderLedger" AS l ("orderId", "customerId", "total", "version", "canceled")
    VALUES (${e.payload.orderId}, ${e.payload.customerId}, ${e.payload.total}, ${e.version}, ${canceled})
    ON CONFLICT ("orderId") DO UPDATE SET
      "version" = GREATEST(l."version", EXCLUDED."version"),
      "total" = CASE WHEN l."version" < EXCLUDED."version" THEN EXCLUDED."total" ELSE l."total" END,
      "canceled" = l."canceled" OR EXCLUDED."canceled"
    RETURNING "version"`;
  return ledger.version === e.version;
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
