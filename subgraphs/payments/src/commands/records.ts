import { randomUUID } from 'node:crypto';
import { createLogger, notFound } from '@baedal/platform';
import type { RawSql } from '@baedal/prisma/clients';
import type { Payment } from '@baedal/prisma/payments';
import { sql } from '../db';

export const log = createLogger('payments');

/*
 * The pay path runs through the driver (sql, in db.ts): it is the busiest
 * command, and Prisma's own cost per statement and per transaction was most
 * of the service's (docs/performance.md, P19). Its helpers take RawSql, which a
 * Prisma transaction client also is, so a failure (a Prisma transaction) and
 * a refund (a driver transaction of its own or of the consumer) share them.
 */

export function record(
  tx: RawSql,
  paymentId: string,
  kind: string,
  amount: number,
  provider: string | null = null,
  detail: string | null = null,
) {
  return tx.$executeRawUnsafe(
    `INSERT INTO "PaymentRecord" ("id", "paymentId", "kind", "amount", "provider", "detail", "at") VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz AT TIME ZONE 'UTC')`,
    randomUUID(),
    paymentId,
    kind,
    amount,
    provider,
    detail,
    new Date().toISOString(),
  );
}

/** Gives the payment's coupon back to the customer (not to the stock). */
export async function releaseCoupon(tx: RawSql, payment: Payment, why: string): Promise<void> {
  if (!payment.couponClaimId) return;
  const released = await tx.$executeRawUnsafe(
    `UPDATE "CouponClaim" SET "status" = 'CLAIMED', "usedPaymentId" = NULL WHERE "id" = $1 AND "status" = 'USED' AND "usedPaymentId" = $2`,
    payment.couponClaimId,
    payment.id,
  );
  if (released) await record(tx, payment.id, 'COUPON_RELEASED', payment.discount, null, why);
}

export async function paymentById(tx: RawSql, id: string): Promise<Payment> {
  const [payment] = await tx.$queryRawUnsafe<Payment[]>('SELECT * FROM "Payment" WHERE "id" = $1', id);
  if (!payment) throw notFound('Payment', id);
  return payment;
}

export async function paymentByKey(customerId: string, key: string): Promise<Payment | null> {
  const [payment] = await sql.$queryRawUnsafe<Payment[]>(
    'SELECT * FROM "Payment" WHERE "customerId" = $1 AND "idempotencyKey" = $2',
    customerId,
    key,
  );
  return payment ?? null;
}
