import { event, type PaymentOutcome } from '@baedal/contracts';
import { outboxInsert } from '@baedal/events';
import { DomainError } from '@baedal/platform';
import type { RawSql } from '@baedal/prisma/clients';
import { paymentMismatch } from '../domain/pricing';
import { moveOrders } from './moveOrders';

/** Raw statements only: it runs in the workers' driver transactions. */
type Tx = RawSql;

/**
 * Approved payments pay for their orders, all in one step; an order that
 * moved on (canceled) stays as it is, and payments refunds. A payment that
 * does not match its order (another customer's, or not its total) pays for
 * nothing: the order stays unpaid and is flagged, and payment.refused asks
 * payments to refund it.
 */
export async function payOrders(tx: Tx, approved: PaymentOutcome[]): Promise<void> {
  const ids = [...new Set(approved.map((p) => p.orderId))];
  // Locked in id order, as moveOrders locks them, so the two cannot deadlock.
  const orders = new Map(
    (
      await tx.$queryRawUnsafe<{ id: string; customerId: string; total: number }[]>(
        'SELECT "id", "customerId", "total" FROM "Order" WHERE "id" = ANY($1::text[]) ORDER BY "id" FOR UPDATE',
        ids,
      )
    ).map((o) => [o.id, o]),
  );
  const refusals = approved.flatMap((payment) => {
    const order = orders.get(payment.orderId);
    const reason = order && paymentMismatch(order, payment);
    return reason ? [{ payment, total: order.total, reason }] : [];
  });
  if (refusals.length) await refusePayments(tx, refusals);
  const refused = new Set(refusals.map((r) => r.payment.paymentId));
  const answers = await moveOrders(
    tx,
    approved
      .filter((p) => !refused.has(p.paymentId))
      .map((p) => ({ orderId: p.orderId, transition: 'pay', actor: 'SYSTEM', actorId: null, paymentId: p.paymentId })),
  );
  const failed = answers.find((a): a is DomainError => a instanceof DomainError && a.code !== 'ORDER_STATE_CONFLICT');
  if (failed) throw failed;
}

/** Flags each order and publishes payment.refused, in one statement. */
async function refusePayments(
  tx: Tx,
  refusals: { payment: PaymentOutcome; total: number; reason: string }[],
): Promise<void> {
  const outbox = outboxInsert(
    refusals.map(({ payment, total, reason }) =>
      // The payment's second fact (payment.approved was its first).
      event('payment.refused', payment.paymentId, 2, {
        paymentId: payment.paymentId,
        orderId: payment.orderId,
        customerId: payment.customerId,
        amount: payment.amount,
        discount: payment.discount,
        total,
        reason,
      }),
    ),
    2,
  );
  await tx.$executeRawUnsafe(
    `WITH flagged AS (
       UPDATE "Order" o SET "flag" = f."reason", "updatedAt" = now() AT TIME ZONE 'UTC'
         FROM jsonb_to_recordset($1::jsonb) AS f("orderId" text, "reason" text) WHERE o."id" = f."orderId")
     ${outbox.sql}`,
    JSON.stringify(refusals.map((r) => ({ orderId: r.payment.orderId, reason: `payment refused: ${r.reason}` }))),
    ...outbox.values,
  );
}
