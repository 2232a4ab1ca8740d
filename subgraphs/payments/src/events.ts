import { randomUUID } from 'node:crypto';
import type { EventEnvelope, Handlers, OrderEventType } from '@baedal/events';
import type { Prisma } from '@baedal/prisma/payments';

/*
 * Payments consumes order events: it keeps a ledger of each order's newest
 * known state, records the (development) payment of a placed order, and
 * refunds a paid order that is rejected or canceled, exactly once.
 */

type Tx = Prisma.TransactionClient;

/** Records the order's newer state; returns false for an event older than what the ledger holds. */
async function advanceLedger(tx: Tx, e: EventEnvelope<OrderEventType>, canceled: boolean): Promise<boolean> {
  await tx.$executeRaw`
    INSERT INTO "OrderLedger" ("orderId", "customerId", "total", "version", "canceled")
    VALUES (${e.payload.orderId}, ${e.payload.customerId}, ${e.payload.total}, 0, false) ON CONFLICT DO NOTHING`;
  const { count } = await tx.orderLedger.updateMany({
    where: { orderId: e.payload.orderId, version: { lt: e.version } },
    data: { version: e.version, total: e.payload.total, ...(canceled ? { canceled: true } : {}) },
  });
  return count > 0;
}

async function recordPayment(tx: Tx, e: EventEnvelope<'order.placed'>): Promise<void> {
  if (!(await advanceLedger(tx, e, false))) return; // a later cancel already arrived: nothing to charge
  // Until payOrder exists, a placed order counts as paid by the development switch.
  await tx.$executeRaw`
    INSERT INTO "Payment" ("id", "orderId", "customerId", "amount", "method", "status")
    VALUES (${randomUUID()}, ${e.payload.orderId}, ${e.payload.customerId}, ${e.payload.total}, 'DEV_AUTO_APPROVED', 'APPROVED')
    ON CONFLICT ("orderId") DO NOTHING`;
}

async function refund(tx: Tx, e: EventEnvelope<'order.canceled' | 'order.rejected'>): Promise<void> {
  await advanceLedger(tx, e, true);
  const payment = await tx.payment.findUnique({ where: { orderId: e.payload.orderId } });
  if (!payment || payment.status !== 'APPROVED') return;
  await tx.refund.create({
    data: { id: randomUUID(), paymentId: payment.id, orderId: payment.orderId, amount: payment.amount, reason: e.payload.reason ?? e.type },
  });
  await tx.payment.update({ where: { id: payment.id }, data: { status: 'REFUNDED' } });
}

/** Consumer "payments". */
export const orderPayments: Handlers<Tx> = {
  'order.created': async (e, tx) => void (await advanceLedger(tx, e, false)),
  'order.placed': (e, tx) => recordPayment(tx, e),
  'order.rejected': (e, tx) => refund(tx, e),
  'order.canceled': (e, tx) => refund(tx, e),
};
