import { randomUUID } from 'node:crypto';
import { event, outboxInsert, type NewEvent } from '@baedal/events';
import {
  badInput,
  batchedWrites,
  createLogger,
  DomainError,
  forbidden,
  isUniqueViolation,
  notFound,
  requireRole,
  rowsInOrder,
  verifyOrderCharge,
  type Identity,
  type OrderCharge,
} from '@baedal/platform';
import type { RawSql } from '@baedal/prisma/clients';
import type { CouponCampaign, Payment } from '@baedal/prisma/payments';
import { findClaim } from './coupons';
import { db, sql } from './db';
import { discountFor, PAYMENT_METHODS } from './domain/coupon';
import { authorizeWithFailover, providers, type AuthorizationResult, type PaymentProvider } from './providers';

/*
 * Paying for orders. One idempotency key is one payment and one charge: the
 * payment row (PENDING) is written before any provider is asked, the provider
 * is asked with the payment's id as its idempotency key, and reconciliation
 * settles a payment left PENDING by a crash by asking the providers what they
 * recorded for that key.
 */

const log = createLogger('payments');

/*
 * The pay path runs through the driver (sql, in db.ts): it is the busiest
 * command, and Prisma's own cost per statement and per transaction was most
 * of the service's (docs/benchmarks.md). Its helpers take RawSql, which a
 * Prisma transaction client also is, so a failure (a Prisma transaction) and
 * a refund (a driver transaction of its own or of the consumer) share them.
 */

function record(
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
async function releaseCoupon(tx: RawSql, payment: Payment, why: string): Promise<void> {
  if (!payment.couponClaimId) return;
  const released = await tx.$executeRawUnsafe(
    `UPDATE "CouponClaim" SET "status" = 'CLAIMED', "usedPaymentId" = NULL WHERE "id" = $1 AND "status" = 'USED' AND "usedPaymentId" = $2`,
    payment.couponClaimId,
    payment.id,
  );
  if (released) await record(tx, payment.id, 'COUPON_RELEASED', payment.discount, null, why);
}

interface Ledger {
  orderId: string;
  customerId: string;
  total: number;
  version: number;
  canceled: boolean;
}

async function paymentById(tx: RawSql, id: string): Promise<Payment> {
  const [payment] = await tx.$queryRawUnsafe<Payment[]>('SELECT * FROM "Payment" WHERE "id" = $1', id);
  if (!payment) throw notFound('Payment', id);
  return payment;
}

async function paymentByKey(customerId: string, key: string): Promise<Payment | null> {
  const [payment] = await sql.$queryRawUnsafe<Payment[]>(
    'SELECT * FROM "Payment" WHERE "customerId" = $1 AND "idempotencyKey" = $2',
    customerId,
    key,
  );
  return payment ?? null;
}

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
 * made it read every PENDING payment through the status index to find these (docs/benchmarks.md).
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
async function settle(
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

async function voidCharge(payment: Payment, provider: PaymentProvider, transactionId: string): Promise<void> {
  await provider.refund(`void-${payment.id}`, transactionId, payment.amount);
  await record(sql, payment.id, 'VOIDED', payment.amount, provider.name, 'second charge refunded');
}

async function fail(paymentId: string, detail: string): Promise<void> {
  await db.$transaction(async (tx) => {
    const payment = await tx.payment.findUniqueOrThrow({ where: { id: paymentId } });
    if (payment.status !== 'PENDING') return;
    const failed = await tx.payment.update({ where: { id: paymentId }, data: { status: 'FAILED' } });
    await record(tx, paymentId, 'FAILED', failed.amount, null, detail);
    await releaseCoupon(tx, failed, 'payment failed');
  });
}

/**
 * The order as orders' signed charge describes it (the customer may pay before
 * the order's first event arrives), at version 0. It is not read from the
 * ledger first: payOrder's statement writes that row with the payment if it is
 * new, and refuses the payment if the stored one is canceled or another
 * customer's (refusal says which); order events (version 1 on) then advance it.
 */
function ledgerFrom(charge: OrderCharge): Ledger {
  return { orderId: charge.orderId, customerId: charge.customerId, total: charge.total, version: 0, canceled: false };
}

async function readLedger(orderId: string): Promise<Ledger | null> {
  const [ledger] = await sql.$queryRawUnsafe<Ledger[]>('SELECT * FROM "OrderLedger" WHERE "orderId" = $1', orderId);
  return ledger ?? null;
}

/**
 * The order as payments knows it. With orders' signed charge it is known at
 * once; without, it arrives by event a few milliseconds after placement, so wait briefly.
 */
async function ledgerOf(orderId: string, paymentToken: string | null | undefined): Promise<Ledger | null> {
  const charge = paymentToken ? verifyOrderCharge(paymentToken) : null;
  if (charge && charge.orderId !== orderId) throw badInput('paymentToken', 'paymentToken belongs to another order');
  if (charge) return ledgerFrom(charge);
  for (let waited = 0; ; waited += 50) {
    const ledger = await readLedger(orderId);
    if (ledger || waited >= 3000) return ledger;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface PayOrderInput {
  orderId: string;
  method: string;
  couponClaimId?: string | null;
  idempotencyKey: string;
  /** Order.paymentToken from placeOrder. */
  paymentToken?: string | null;
}

async function outcomeOf(payment: Payment): Promise<Payment> {
  if (payment.status === 'DECLINED') {
    throw new DomainError(
      'PAYMENT_DECLINED',
      `The payment was declined: ${payment.declineReason ?? 'no reason given'}`,
      { paymentId: payment.id, reason: payment.declineReason },
    );
  }
  if (payment.status === 'FAILED') {
    throw new DomainError(
      'PAYMENT_PROVIDER_UNAVAILABLE',
      'No payment provider could be reached; nothing was charged. Try again shortly',
      { paymentId: payment.id },
    );
  }
  return payment;
}

/** Why `customerId` may not pay for the order of this ledger, if they may not. */
function refusal(ledger: Ledger, customerId: string): DomainError | null {
  if (ledger.customerId !== customerId) return forbidden('You can only pay for your own orders');
  if (ledger.canceled) return new DomainError('ORDER_STATE_CONFLICT', 'This order was canceled', { field: 'orderId' });
  return null;
}

/** What a new payment of the order is made of: the order's ledger, the coupon claim if any, and its discount. */
async function paymentTerms(customerId: string, input: PayOrderInput): Promise<{ ledger: Ledger; discount: number }> {
  const ledger = await ledgerOf(input.orderId, input.paymentToken);
  if (!ledger) throw notFound('Order', input.orderId);
  const refused = refusal(ledger, customerId);
  if (refused) throw refused;

  // A claim decided in Redis but not yet persisted is persisted here, before the payment's transaction.
  const claim = input.couponClaimId ? await findClaim(db, input.couponClaimId) : null;
  if (input.couponClaimId) {
    if (!claim) throw notFound('Coupon', input.couponClaimId);
    if (claim.customerId !== customerId) throw forbidden('This coupon is not yours');
    if (claim.status !== 'CLAIMED')
      throw new DomainError('CONFLICT', 'This coupon is already in use', { field: 'couponClaimId' });
  }
  if (!claim) return { ledger, discount: 0 };
  const [campaign] = await sql.$queryRawUnsafe<CouponCampaign[]>(
    'SELECT * FROM "CouponCampaign" WHERE "id" = $1',
    claim.campaignId,
  );
  if (new Date() >= campaign.endsAt)
    throw new DomainError('COUPON_EXPIRED', 'This coupon has expired', { field: 'couponClaimId' });
  return { ledger, discount: discountFor(campaign, ledger.total) };
}

/** A new payment as payOrder's statement writes it, with its first records and its order's total. */
interface NewPayment {
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
 * the customer (ledgerFrom did not read it) refuses the payment (null) and leaves the coupon alone.
 */
const writePayments = batchedWrites(async (payments: readonly NewPayment[]): Promise<(Payment | null)[]> => {
  const created = await sql.$queryRawUnsafe<Payment[]>(
    `WITH input AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS p("id" text, "orderId" text, "customerId" text, "amount" int, "discount" int, "method" text,
         "idempotencyKey" text, "couponClaimId" text, "at" text, "total" int, "records" jsonb)),
     refused AS (
       SELECT p."id" FROM input p JOIN "OrderLedger" l ON l."orderId" = p."orderId" WHERE l."canceled" OR l."customerId" <> p."customerId"),
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

export async function payOrder(identity: Identity, input: PayOrderInput): Promise<Payment> {
  const customerId = requireRole(identity, 'CUSTOMER');
  const key = input.idempotencyKey.trim();
  if (!key || key.length > 100) throw badInput('idempotencyKey', 'idempotencyKey must be 1 to 100 characters');
  if (!(PAYMENT_METHODS as readonly string[]).includes(input.method))
    throw badInput('method', `method must be one of ${PAYMENT_METHODS.join(', ')}`);
  const byKey = async (): Promise<Payment | null> => {
    const existing = await paymentByKey(customerId, key);
    return existing && (existing.status === 'PENDING' ? authorize(existing) : outcomeOf(existing));
  };
  // A refusal of the order or coupon answers with this key's payment if it has one (sent again after the change).
  const keysPaymentOr = async (refusal: unknown): Promise<Payment> => {
    const existing = refusal instanceof DomainError ? await byKey() : null;
    if (existing) return existing;
    throw refusal;
  };

  // A repeated key is the rare case, so it is not looked up first: the payment's insert refuses it (a unique
  // index), and so do the checks when the order or coupon changed since (e.g. the order was canceled and this
  // key's payment refunded); either answers with the key's payment.
  let terms: Awaited<ReturnType<typeof paymentTerms>>;
  try {
    terms = await paymentTerms(customerId, input);
  } catch (error) {
    return keysPaymentOr(error);
  }
  const { ledger, discount } = terms;
  const id = randomUUID();
  const amount = ledger.total - discount;
  const now = Date.now();
  const at = new Date(now).toISOString();
  // Distinct timestamps keep the records' order.
  const records: NewPayment['records'] = [
    { id: randomUUID(), kind: 'REQUESTED', amount, detail: `${input.method}, order total ${ledger.total} won`, at },
  ];
  if (discount)
    records.push({
      id: randomUUID(),
      kind: 'COUPON_APPLIED',
      amount: discount,
      detail: input.couponClaimId ?? null,
      at: new Date(now + 1).toISOString(),
    });
  let payment: Payment | null = null;
  try {
    payment = await writePayments({
      id,
      orderId: input.orderId,
      customerId,
      amount,
      discount,
      method: input.method,
      idempotencyKey: key,
      couponClaimId: input.couponClaimId ?? null,
      at,
      total: ledger.total,
      records,
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // The key's payment exists: sent again, or twice at once (the second waits for the first's outcome).
    const twin = await byKey();
    if (twin) return twin;
  }
  if (!payment) {
    // Refused: the order was canceled (as the key's payment may have been refunded: that one answers),
    // it has a live payment (the unique index), or the coupon was taken meanwhile.
    const stored = await readLedger(input.orderId);
    const refused = stored && refusal(stored, customerId);
    if (refused) return keysPaymentOr(refused);
    const [live] = await sql.$queryRawUnsafe<Pick<Payment, 'id' | 'status'>[]>(
      `SELECT "id", "status" FROM "Payment" WHERE "orderId" = $1 AND "status" IN ('APPROVED', 'PENDING', 'REFUNDED') LIMIT 1`,
      input.orderId,
    );
    if (live)
      throw new DomainError(
        'CONFLICT',
        live.status === 'PENDING' ? 'This order is being paid' : 'This order is already paid',
        { field: 'orderId', paymentId: live.id },
      );
    throw new DomainError('CONFLICT', 'This coupon is already in use', { field: 'couponClaimId' });
  }
  return authorize(payment);
}

/** Asks the providers (primary first) to authorize a PENDING payment, and settles it. */
async function authorize(payment: Payment): Promise<Payment> {
  if (payment.amount === 0) {
    return outcomeOf(
      await settle(
        payment,
        null,
        { status: 'APPROVED', transactionId: `free-${payment.id}`, reason: null },
        'fully discounted',
      ),
    );
  }
  try {
    const { provider, result } = await authorizeWithFailover(
      providers(log),
      payment.id,
      payment.amount,
      payment.orderId,
      async (failure) => {
        await record(sql, payment.id, 'PROVIDER_FAILED', payment.amount, failure.provider, failure.kind);
      },
    );
    return outcomeOf(await settle(payment, provider, result, 'authorized'));
  } catch (error) {
    if (error instanceof DomainError) throw error;
    log.warn({ err: error, paymentId: payment.id }, 'no provider could authorize');
    // A provider that timed out may still have charged: check before calling it failed.
    const reconciled = await reconcilePayment(payment.id);
    if (reconciled.status !== 'PENDING') return outcomeOf(reconciled);
    await fail(payment.id, 'no provider could be reached');
    return outcomeOf(await db.payment.findUniqueOrThrow({ where: { id: payment.id } }));
  }
}

/**
 * Refunds an approved payment through the provider that charged it
 * (idempotent by key), once; in `tx` when given (a consumer's transaction).
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
  };
  await (tx ? write(tx) : sql.$transaction(write));
}

/**
 * Settles a PENDING payment from what the providers recorded for its key
 * (a crash after a provider approved leaves exactly this). Providers that
 * cannot be asked leave it PENDING for the next round.
 */
export async function reconcilePayment(paymentId: string): Promise<Payment> {
  const payment = await db.payment.findUniqueOrThrow({ where: { id: paymentId } });
  if (payment.status !== 'PENDING') return payment;
  let everyoneAnswered = true;
  for (const provider of providers(log)) {
    try {
      const found = await provider.lookup(payment.id);
      if (found) return settle(payment, provider, found, 'reconciled');
    } catch {
      everyoneAnswered = false;
    }
  }
  // Nobody charged and everybody said so: it is safe to call it failed (nothing was charged).
  if (everyoneAnswered) await fail(payment.id, 'reconciled: no provider recorded it');
  return db.payment.findUniqueOrThrow({ where: { id: paymentId } });
}

/**
 * Voids a second charge: when a provider timed out and another approved, the
 * first may have charged too; ask it, and refund what it recorded.
 */
async function voidStrayCharges(payment: Payment): Promise<void> {
  const timedOut = await db.paymentRecord.findMany({ where: { paymentId: payment.id, kind: 'PROVIDER_FAILED' } });
  for (const name of new Set(timedOut.map((r) => r.provider))) {
    if (name === payment.provider) continue;
    const provider = providers(log).find((p) => p.name === name);
    const stray = await provider?.lookup(payment.id).catch(() => null);
    if (!provider || !stray || stray.status !== 'APPROVED') continue;
    await voidCharge(payment, provider, stray.transactionId);
  }
}

/** One reconciliation round: PENDING payments, then stray charges behind failovers of the last day. Returns how many it looked at. */
export async function reconcilePayments(): Promise<number> {
  // Leave alone what a request may still be authorizing: every provider's timeout, twice over.
  const inFlightMs = 2 * providers(log).length * Number(process.env.PROVIDER_TIMEOUT_MS ?? 2000);
  const pending = await db.payment.findMany({
    where: { status: 'PENDING', createdAt: { lt: new Date(Date.now() - inFlightMs) } },
    take: 500,
  });
  for (const payment of pending)
    await reconcilePayment(payment.id).catch((error) =>
      log.warn({ err: error, paymentId: payment.id }, 'reconcile failed'),
    );
  const since = new Date(Date.now() - 24 * 3600 * 1000);
  const failovers = await db.paymentRecord.findMany({
    where: { kind: 'PROVIDER_FAILED', at: { gt: since } },
    select: { paymentId: true },
    distinct: ['paymentId'],
  });
  const voided = await db.paymentRecord.findMany({
    where: { kind: 'VOIDED', paymentId: { in: failovers.map((f) => f.paymentId) } },
    select: { paymentId: true },
  });
  const done = new Set(voided.map((v) => v.paymentId));
  const toCheck = await db.payment.findMany({
    where: {
      id: { in: failovers.map((f) => f.paymentId).filter((id) => !done.has(id)) },
      status: { in: ['APPROVED', 'REFUNDED', 'FAILED'] },
    },
  });
  for (const payment of toCheck)
    await voidStrayCharges(payment).catch((error) =>
      log.warn({ err: error, paymentId: payment.id }, 'void check failed'),
    );
  return pending.length + toCheck.length;
}
