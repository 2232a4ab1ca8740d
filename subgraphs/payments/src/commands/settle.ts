import { randomUUID } from 'node:crypto';
import { event, type NewEvent } from '@baedal/contracts';
import { outboxInsert } from '@baedal/events';
import { batchedWrites, rowsInOrder } from '@baedal/platform';
import type { Payment } from '@baedal/prisma/payments';
import { sql } from '../db';
import type { AuthorizationResult, PaymentProvider } from '../providers';
import { paymentById, record } from './records';
import { refundPayment } from './refund';

/** A provider's answer for a PENDING payment, as the settling statement writes it, with the event announcing it. */
interface Settlement {
  row: {
    paymentId: string;
    status: 'APPROVED' | 'DECLINED';
    provider: string | null;
    transactionId: string;
    reason: string | null;
    at: string;
    recordId: string;
    detail: string;
    releaseId: string;
  };
  event: NewEvent;
}

/*
 * Settling writes many payments' outcomes in one statement when they come together (batchedWrites), atomic
 * without BEGIN and COMMIT. For each: the outcome (only of a payment still PENDING, so it settles once), its
 * record, a declined payment's coupon given back to the customer, the event, and for an approval whether the
 * order was canceled meanwhile. A cancel (refundOrder) marks the ledger, then looks for an approved payment.
 * If it marked the ledger first, FOR SHARE waits for its commit and reads the ledger as it committed (Read
 * Committed's locking read); if it marks it later, it waits for this statement's commit and its look finds
 * this approval. Either way the approval is refunded once (refundPayment refunds once). Ledgers are locked in
 * order id order, as the consumer of order events locks them, so the two cannot deadlock. The ledger exists:
 * payOrder's statement wrote it with the payment. A payment no longer PENDING answers null.
 * "status"::text keeps the planner on the primary key: statistics that have seen few PENDING payments
 * made it read every PENDING payment through the status index to find these (docs/performance.md, P25).
 */
const writeSettlements = batchedWrites(
  async (settlements: readonly Settlement[]): Promise<((Payment & { orderCanceled: boolean | null }) | null)[]> => {
    const events = outboxInsert(
      settlements.map((s) => s.event),
      2,
      'e."aggregateId" IN (SELECT "id" FROM settled)',
    );
    const rows = await sql.$queryRawUnsafe<(Payment & { orderCanceled: boolean | null })[]>(
      `WITH input AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS s("paymentId" text, "status" text, "provider" text, "transactionId" text, "reason" text,
         "at" text, "recordId" text, "detail" text, "releaseId" text)),
     settled AS (
       UPDATE "Payment" p SET "status" = s."status"::"PaymentStatus", "provider" = s."provider", "providerTransactionId" = s."transactionId",
         "declineReason" = s."reason", "updatedAt" = s."at"::timestamptz AT TIME ZONE 'UTC'
         FROM input s
        WHERE p."id" = s."paymentId" AND p."status"::text = 'PENDING'
       RETURNING p.*),
     recorded AS (
       INSERT INTO "PaymentRecord" ("id", "paymentId", "kind", "provider", "amount", "detail", "at")
       SELECT s."recordId", settled."id", s."status", settled."provider", settled."amount", s."detail", s."at"::timestamptz AT TIME ZONE 'UTC'
         FROM settled JOIN input s ON s."paymentId" = settled."id"),
     released AS (
       UPDATE "CouponClaim" c SET "status" = 'CLAIMED', "usedPaymentId" = NULL FROM settled
        WHERE settled."status" = 'DECLINED' AND c."id" = settled."couponClaimId" AND c."status" = 'USED' AND c."usedPaymentId" = settled."id"
        RETURNING settled."id" AS "paymentId", settled."discount"),
     release_recorded AS (
       INSERT INTO "PaymentRecord" ("id", "paymentId", "kind", "amount", "detail", "at")
       SELECT s."releaseId", released."paymentId", 'COUPON_RELEASED', released."discount", 'payment declined',
              (s."at"::timestamptz + interval '1 millisecond') AT TIME ZONE 'UTC'
         FROM released JOIN input s ON s."paymentId" = released."paymentId"),
     events AS (${events.sql}),
     ledger AS (
       SELECT "orderId", "canceled" FROM "OrderLedger"
        WHERE "orderId" IN (SELECT "orderId" FROM settled WHERE "status" = 'APPROVED') ORDER BY "orderId" FOR SHARE)
     SELECT settled.*, (SELECT "canceled" FROM ledger WHERE ledger."orderId" = settled."orderId") AS "orderCanceled" FROM settled`,
      JSON.stringify(settlements.map((s) => s.row)),
      ...events.values,
    );
    return rowsInOrder(
      settlements.map((s) => s.row.paymentId),
      rows,
      (row) => row.id,
    );
  },
);

/**
 * Records a provider's answer for a PENDING payment, once; publishes the
 * outcome; refunds at once if the order was canceled meanwhile.
 */
export async function settle(
  pending: Payment,
  provider: PaymentProvider | null,
  result: AuthorizationResult,
  how: string,
): Promise<Payment> {
  const paymentId = pending.id;
  const { status } = result;
  const outcome = {
    paymentId,
    orderId: pending.orderId,
    customerId: pending.customerId,
    amount: pending.amount,
    discount: pending.discount,
    provider: provider?.name ?? null,
    reason: result.reason,
  };
  const row = await writeSettlements({
    row: {
      paymentId,
      status,
      provider: provider?.name ?? null,
      transactionId: result.transactionId,
      reason: result.reason,
      at: new Date().toISOString(),
      recordId: randomUUID(),
      detail: result.reason ?? how,
      releaseId: randomUUID(),
    },
    event: event(status === 'APPROVED' ? 'payment.approved' : 'payment.declined', paymentId, 1, outcome),
  });
  if (!row) {
    // Already settled by another provider's answer: an approval from this one is a second charge, so undo it.
    const current = await paymentById(sql, paymentId);
    if (status === 'APPROVED' && provider && current.provider !== provider.name)
      await voidCharge(current, provider, result.transactionId);
    return current;
  }
  const { orderCanceled, ...settled } = row;
  if (!orderCanceled) return settled;
  await refundPayment(settled, 'order canceled before payment settled');
  return paymentById(sql, paymentId);
}

export async function voidCharge(payment: Payment, provider: PaymentProvider, transactionId: string): Promise<void> {
  await provider.refund(`void-${payment.id}`, transactionId, payment.amount);
  await record(sql, payment.id, 'VOIDED', payment.amount, provider.name, 'second charge refunded');
}
