import { refusalOf } from '@baedal/platform/testing';
import {
  claimRefusal,
  firstRecords,
  inFlightMs,
  paymentOfOrder,
  paymentOutcome,
  refusal,
  validatePayment,
} from './payment';

describe('a payment request', () => {
  it('keeps its idempotency key trimmed', () => {
    expect(validatePayment({ idempotencyKey: '  pay-1 ', method: 'CARD' })).toBe('pay-1');
  });

  it.each([
    ['a blank key', { idempotencyKey: '  ', method: 'CARD' }, 'BAD_USER_INPUT:idempotencyKey'],
    ['a 101-character key', { idempotencyKey: 'k'.repeat(101), method: 'CARD' }, 'BAD_USER_INPUT:idempotencyKey'],
    ['an unknown method', { idempotencyKey: 'k', method: 'CASH' }, 'BAD_USER_INPUT:method'],
  ])('is refused with %s', (_, input, expected) => {
    expect(refusalOf(() => validatePayment(input))).toBe(expected);
  });
});

describe("who pays for an order's ledger", () => {
  const ledger = { orderId: 'o1', customerId: 'c1', total: 20000, version: 1, canceled: false };
  it('is its customer, while it is not canceled', () => {
    expect(refusal(ledger, 'c1')).toBeNull();
    expect(refusal(ledger, 'c2')?.code).toBe('FORBIDDEN');
    expect(refusal({ ...ledger, canceled: true }, 'c1')?.code).toBe('ORDER_STATE_CONFLICT');
  });
  it('at the total the ledger states, to the won', () => {
    expect(refusal(ledger, 'c1', 20000)).toBeNull();
    expect(refusal(ledger, 'c1', 19999)?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'paymentToken' });
    expect(refusal(ledger, 'c1', 0)?.message).toBe('paymentToken says the order costs 0 won; it costs 20000 won');
  });
});

describe('a coupon claim pays', () => {
  it("only its customer's order, and only once", () => {
    expect(claimRefusal({ customerId: 'c1', status: 'CLAIMED' }, 'c1')).toBeNull();
    expect(claimRefusal({ customerId: 'c1', status: 'CLAIMED' }, 'c2')?.code).toBe('FORBIDDEN');
    expect(claimRefusal({ customerId: 'c1', status: 'USED' }, 'c1')?.code).toBe('CONFLICT');
  });
});

describe("a settled payment's outcome", () => {
  const payment = { id: 'p1', declineReason: null };
  it('is the payment when approved, refunded or pending', () => {
    for (const status of ['APPROVED', 'REFUNDED', 'PENDING'] as const) {
      expect(paymentOutcome({ ...payment, status })).toEqual({ ...payment, status });
    }
  });

  it("is PAYMENT_DECLINED with the provider's reason, or PAYMENT_PROVIDER_UNAVAILABLE when it failed", () => {
    expect(refusalOf(() => paymentOutcome({ ...payment, status: 'DECLINED', declineReason: 'limit exceeded' }))).toBe(
      'PAYMENT_DECLINED',
    );
    expect(refusalOf(() => paymentOutcome({ ...payment, status: 'FAILED' }))).toBe('PAYMENT_PROVIDER_UNAVAILABLE');
  });
});

describe("a new payment's first records", () => {
  it('are the request for the total less the discount, then the coupon a millisecond later', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    expect(firstRecords('CARD', 23000, 7000, 'claim-1', now)).toEqual([
      { kind: 'REQUESTED', amount: 16000, detail: 'CARD, order total 23000 won', at: '2026-12-01T12:00:00.000Z' },
      { kind: 'COUPON_APPLIED', amount: 7000, detail: 'claim-1', at: '2026-12-01T12:00:00.001Z' },
    ]);
    expect(firstRecords('KAKAO_PAY', 23000, 0, null, now)).toHaveLength(1);
  });
});

describe("an order's payment", () => {
  it('is its approved or refunded payment, else its latest attempt', () => {
    const declined = { id: 'd', status: 'DECLINED' as const };
    const approved = { id: 'a', status: 'APPROVED' as const };
    const pending = { id: 'p', status: 'PENDING' as const };
    expect(paymentOfOrder([declined, approved, pending])).toBe(approved);
    expect(paymentOfOrder([pending, declined])).toBe(pending);
    expect(paymentOfOrder([declined, { id: 'f', status: 'FAILED' as const }])).toBe(declined);
    expect(paymentOfOrder([])).toBeNull();
  });
});

describe('a pending payment', () => {
  it("may still be in a request's hands for every provider's timeout, twice over", () => {
    expect(inFlightMs(2, 2000)).toBe(8000);
  });
});
