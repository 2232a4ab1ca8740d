import { randomUUID } from 'node:crypto';
import { event } from '@baedal/contracts';
import { appendToOutbox } from '@baedal/events';
import type { RawSql } from '@baedal/prisma/clients';
import type { Payment } from '@baedal/prisma/payments';
import { sql } from '../db';
import { providers } from '../providers';
import { log, record, releaseCoupon } from './records';

/**
 * Refunds an approved payment through the provider that charged it
 * (idempotent by key), once, announced by payment.refunded; in `tx` when
 * given (a consumer's transaction).
 */
export async function refundPayment(payment: Payment, reason: string, tx?: RawSql): Promise<void> {
  if (payment.status !== 'APPROVED') return;
  const provider = providers(log).find((p) => p.name === payment.provider);
  if (provider && payment.providerTransactionId)
    await provider.refund(`refund-${payment.id}`, payment.providerTransactionId, payment.amount);
  const write = async (t: RawSql) => {
    const refunded = await t.$executeRawUnsafe(
      `UPDATE "Payment" SET "status" = 'REFUNDED', "updatedAt" = now() AT TIME ZONE 'UTC' WHERE "id" = $1 AND "status" = 'APPROVED'`,
      payment.id,
    );
    if (!refunded) return;
    await t.$executeRawUnsafe(
      `INSERT INTO "Refund" ("id", "paymentId", "orderId", "amount", "reason", "createdAt") VALUES ($1, $2, $3, $4, $5, now() AT TIME ZONE 'UTC')`,
      randomUUID(),
      payment.id,
      payment.orderId,
      payment.amount,
      reason,
    );
    await record(t, payment.id, 'REFUNDED', payment.amount, payment.provider, reason);
    await releaseCoupon(t, payment, 'payment refunded');
    const { id: paymentId, orderId, amount } = payment;
    await appendToOutbox(t, [event('payment.refunded', paymentId, 2, { paymentId, orderId, amount })]);
  };
  await (tx ? write(tx) : sql.$transaction(write));
}
