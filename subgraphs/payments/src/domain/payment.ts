import { badInput, DomainError, forbidden } from '@baedal/platform';
import { PAYMENT_METHODS } from './coupon';

/*
 * The rules of paying for an order. Pure: the commands read and write the
 * rows (commands/pay.ts, settle.ts, refund.ts, reconcile.ts).
 */

export type PaymentStatus = 'PENDING' | 'APPROVED' | 'DECLINED' | 'FAILED' | 'REFUNDED';

/** What payments knows of an order: from orders' signed charge, or from order events. */
export interface Ledger {
  orderId: string;
  customerId: string;
  /** won */
  total: number;
  version: number;
  canceled: boolean;
}

export const MAX_IDEMPOTENCY_KEY_LENGTH = 100;

/** A payment request's idempotency key as stored (trimmed), or BAD_USER_INPUT for a bad key or method. */
export function validatePayment(input: { idempotencyKey: string; method: string }): string {
  const key = input.idempotencyKey.trim();
  if (!key || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw badInput('idempotencyKey', `idempotencyKey must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  }
  if (!(PAYMENT_METHODS as readonly string[]).includes(input.method)) {
    throw badInput('method', `method must be one of ${PAYMENT_METHODS.join(', ')}`);
  }
  return key;
}

/**
 * Why `customerId` may not pay for the order of this ledger, if they may not;
 * `charged` is the total the payment was priced at (a signed charge's), which
 * must be what the ledger says the order costs.
 */
export function refusal(ledger: Ledger, customerId: string, charged = ledger.total): DomainError | null {
  if (ledger.customerId !== customerId) return forbidden('You can only pay for your own orders');
  if (ledger.canceled)
    return new DomainError(
      'ORDER_STATE_CONFLICT',
      'This order was canceled, rejected or expired: it can no longer be paid',
      { field: 'orderId' },
    );
  if (charged !== ledger.total)
    return badInput('paymentToken', `paymentToken says the order costs ${charged} won; it costs ${ledger.total} won`);
  return null;
}

/** Why a coupon claim cannot pay for `customerId`'s order, if it cannot. */
export function claimRefusal(claim: { customerId: string; status: string }, customerId: string): DomainError | null {
  if (claim.customerId !== customerId) return forbidden('This coupon is not yours');
  if (claim.status !== 'CLAIMED') {
    return new DomainError('CONFLICT', 'This coupon is already in use', { field: 'couponClaimId' });
  }
  return null;
}

/** A settled payment as the caller gets it: the payment, or the error its outcome is. */
export function paymentOutcome<P extends { id: string; status: PaymentStatus; declineReason: string | null }>(
  payment: P,
): P {
  if (payment.status === 'DECLINED') {
    throw new DomainError(
      'PAYMENT_DECLINED',
      `The payment was declined: ${payment.declineReason ?? 'no reason given'}`,
      {
        paymentId: payment.id,
        reason: payment.declineReason,
      },
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

export interface PaymentRecordDraft {
  kind: string;
  /** won */
  amount: number;
  detail: string | null;
  at: string;
}

/** A new payment's first records: the request, and the coupon's discount if any, a millisecond apart (their order). */
export function firstRecords(
  method: string,
  total: number,
  discount: number,
  couponClaimId: string | null,
  now: number,
): PaymentRecordDraft[] {
  const at = (offset: number) => new Date(now + offset).toISOString();
  const records: PaymentRecordDraft[] = [
    { kind: 'REQUESTED', amount: total - discount, detail: `${method}, order total ${total} won`, at: at(0) },
  ];
  if (discount) records.push({ kind: 'COUPON_APPLIED', amount: discount, detail: couponClaimId, at: at(1) });
  return records;
}

const ORDER_PAYMENT_RANK: Record<PaymentStatus, number> = {
  APPROVED: 0,
  REFUNDED: 1,
  PENDING: 2,
  DECLINED: 3,
  FAILED: 4,
};

/** An order's payment among its attempts (newest first): the approved (or refunded) one, else the latest attempt. */
export function paymentOfOrder<P extends { status: PaymentStatus }>(attempts: readonly P[]): P | null {
  return [...attempts].sort((a, b) => ORDER_PAYMENT_RANK[a.status] - ORDER_PAYMENT_RANK[b.status])[0] ?? null;
}

/** How long a PENDING payment may still be in a request's hands: every provider's timeout, twice over. */
export function inFlightMs(providerCount: number, providerTimeoutMs: number): number {
  return 2 * providerCount * providerTimeoutMs;
}
