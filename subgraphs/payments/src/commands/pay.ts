import { randomUUID } from 'node:crypto';
import {
  currentTraceParent,
  DomainError,
  inSpan,
  isUniqueViolation,
  linkTo,
  notFound,
  type Identity,
} from '@baedal/platform';
import { verifyOrderCharge } from '@baedal/contracts';
import type { CouponCampaign, Payment } from '@baedal/prisma/payments';
import { db, sql } from '../db';
import { requirePayingCustomer } from '../domain/access';
import { discountFor } from '../domain/coupon';
import { claimRefusal, firstRecords, paymentOutcome, refusal, validatePayment, type Ledger } from '../domain/payment';
import { authorizeWithFailover, providers } from '../providers';
import { findClaim } from './coupons';
import { ledgerOf, readLedger } from './orderLedger';
import { fail, reconcilePayment } from './reconcile';
import { log, paymentByKey, record } from './records';
import { settle } from './settle';
import { writePayments } from './writePayments';

/*
 * Paying for orders. One idempotency key is one payment and one charge: the
 * payment row (PENDING) is written before any provider is asked, the provider
 * is asked with the payment's id as its idempotency key, and reconciliation
 * settles a payment left PENDING by a crash by asking the providers what they
 * recorded for that key.
 */

export interface PayOrderInput {
  orderId: string;
  method: string;
  couponClaimId?: string | null;
  idempotencyKey: string;
  /** Order.paymentToken from placeOrder. */
  paymentToken?: string | null;
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
    const refused = claimRefusal(claim, customerId);
    if (refused) throw refused;
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

/**
 * Pays an order in the order's own trace (the one its charge names: placeOrder's), linked to this
 * request's, so one trace follows the order from placement through payment to its consumers.
 */
export function payOrder(identity: Identity, input: PayOrderInput): Promise<Payment> {
  // Untraced (tracing off), the charge is not read twice.
  const requestTrace = currentTraceParent();
  const orderTrace = requestTrace && traceOfCharge(input.paymentToken);
  if (!orderTrace || orderTrace === requestTrace) return payOrderNow(identity, input);
  const links = linkTo(requestTrace);
  return inSpan('payOrder', { parent: orderTrace, links, attributes: { 'baedal.order.id': input.orderId } }, () =>
    payOrderNow(identity, input),
  );
}

function traceOfCharge(paymentToken: string | null | undefined): string | undefined {
  try {
    return paymentToken ? verifyOrderCharge(paymentToken)?.trace : undefined;
  } catch {
    return undefined; // a bad token is refused by the payment itself
  }
}

async function payOrderNow(identity: Identity, input: PayOrderInput): Promise<Payment> {
  const customerId = requirePayingCustomer(identity);
  const key = validatePayment(input);
  const byKey = async (): Promise<Payment | null> => {
    const existing = await paymentByKey(customerId, key);
    return existing && (existing.status === 'PENDING' ? authorize(existing) : paymentOutcome(existing));
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
  const couponClaimId = input.couponClaimId ?? null;
  const records = firstRecords(input.method, ledger.total, discount, couponClaimId, Date.now());
  let payment: Payment | null = null;
  try {
    payment = await writePayments({
      id: randomUUID(),
      orderId: input.orderId,
      customerId,
      amount: ledger.total - discount,
      discount,
      method: input.method,
      idempotencyKey: key,
      couponClaimId,
      at: records[0].at,
      total: ledger.total,
      records: records.map((r) => ({ id: randomUUID(), ...r })),
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // The key's payment exists: sent again, or twice at once (the second waits for the first's outcome).
    const twin = await byKey();
    if (twin) return twin;
  }
  if (!payment) {
    // Refused: the order was canceled (as the key's payment may have been refunded: that one answers), its
    // ledger states another total or customer, it has a live payment (the unique index), or the coupon was taken.
    const stored = await readLedger(input.orderId);
    const refused = stored && refusal(stored, customerId, ledger.total);
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
    return paymentOutcome(
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
    return paymentOutcome(await settle(payment, provider, result, 'authorized'));
  } catch (error) {
    if (error instanceof DomainError) throw error;
    log.warn({ err: error, paymentId: payment.id }, 'no provider could authorize');
    // A provider that timed out may still have charged: check before calling it failed.
    const reconciled = await reconcilePayment(payment.id);
    if (reconciled.status !== 'PENDING') return paymentOutcome(reconciled);
    await fail(payment.id, 'no provider could be reached');
    return paymentOutcome(await db.payment.findUniqueOrThrow({ where: { id: payment.id } }));
  }
}
