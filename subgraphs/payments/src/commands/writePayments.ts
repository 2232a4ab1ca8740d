import { batchedWrites, rowsInOrder } from '@baedal/platform';
import type { Payment } from '@baedal/prisma/payments';
import { sql } from '../db';

/** A new payment as payOrder's statement writes it, with its first records and its order's total. */
export interface NewPayment {
  id: string;
  orderId: string;
  customerId: string;
  amount: number;
  discount: number;
  method: string;
  idempotencyKey: string;
  couponClaimId: string | null;
  at: string;
  total: number;
  records: { id: string; kind: string; amount: number; detail: string | null; at: string }[];
}

/*
 * New payments, many customers' in one statement when they come together (batchedWrites), atomic without BEGIN
 * and COMMIT. For each: the payment, its first records, its coupon taken and the order's ledger opened if new.
 * Ledger rows are written in order id order, as the consumer of order events locks them, so the two cannot
 * deadlock. A claim is taken only while still CLAIMED, so two payments racing for one coupon cannot both use it (the
 * second is null); the order's second live payment, or this key's second, is refused by a unique index (the
 * batch is then written again one payment at a time, and that one alone fails); a stored ledger that refuses
 * the customer or states another total (ledgerFrom did not read it) refuses the payment (null) and leaves the
 * coupon alone.
 */
export const writePayments = batchedWrites(async (payments: readonly NewPayment[]): Promise<(Payment | null)[]> => {
  const created = await sql.$queryRawUnsafe<Payment[]>(
    `WITH input AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS p("id" text, "orderId" text, "customerId" text, "amount" int, "discount" int, "method" text,
         "idempotencyKey" text, "couponClaimId" text, "at" text, "total" int, "records" jsonb)),
     refused AS (
       SELECT p."id" FROM input p JOIN "OrderLedger" l ON l."orderId" = p."orderId" WHERE l."canceled" OR l."customerId" <> p."customerId" OR l."total" <> p."total"),
     opened AS (
       INSERT INTO "OrderLedger" ("orderId", "customerId", "total", "version", "canceled")
       SELECT p."orderId", p."customerId", p."total", 0, false FROM input p ORDER BY p."orderId" ON CONFLICT DO NOTHING),
     taken AS (
       UPDATE "CouponClaim" c SET "status" = 'USED', "usedPaymentId" = p."id" FROM input p
        WHERE c."id" = p."couponClaimId" AND c."status" = 'CLAIMED' AND p."id" NOT IN (SELECT "id" FROM refused)
       RETURNING p."id"),
     created AS (
       INSERT INTO "Payment" ("id", "orderId", "customerId", "amount", "discount", "method", "status", "idempotencyKey", "couponClaimId", "createdAt", "updatedAt")
       SELECT p."id", p."orderId", p."customerId", p."amount", p."discount", p."method", 'PENDING', p."idempotencyKey", p."couponClaimId",
              p."at"::timestamptz AT TIME ZONE 'UTC', p."at"::timestamptz AT TIME ZONE 'UTC'
         FROM input p
        WHERE (p."couponClaimId" IS NULL OR p."id" IN (SELECT "id" FROM taken)) AND p."id" NOT IN (SELECT "id" FROM refused)
       RETURNING *),
     recorded AS (
       INSERT INTO "PaymentRecord" ("id", "paymentId", "kind", "amount", "detail", "at")
       SELECT r."id", created."id", r."kind", r."amount", r."detail", r."at"::timestamptz AT TIME ZONE 'UTC'
         FROM created JOIN input p ON p."id" = created."id",
              jsonb_to_recordset(p."records") AS r("id" text, "kind" text, "amount" int, "detail" text, "at" text))
     SELECT * FROM created`,
    JSON.stringify(payments),
  );
  return rowsInOrder(
    payments.map((p) => p.id),
    created,
    (payment) => payment.id,
  );
});
