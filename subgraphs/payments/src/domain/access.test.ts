import { refusalOf } from '@baedal/platform/testing';
import { ANONYMOUS } from '@baedal/platform';
import {
  paymentViewOf,
  requireCampaignAdmin,
  requirePayingCustomer,
  requirePaymentViewer,
  requireVisiblePayment,
  requireWholePayment,
} from './access';

describe('paying and claiming coupons', () => {
  it('is for customers', () => {
    expect(requirePayingCustomer({ userId: 'c1', role: 'CUSTOMER' })).toBe('c1');
    expect(refusalOf(() => requirePayingCustomer({ userId: 'o1', role: 'OWNER' }))).toBe('FORBIDDEN');
    expect(refusalOf(() => requirePayingCustomer({ userId: 'a1', role: 'ADMIN' }))).toBe('FORBIDDEN');
    expect(refusalOf(() => requirePayingCustomer(ANONYMOUS))).toBe('UNAUTHENTICATED');
  });
});

describe('coupon campaigns', () => {
  it('are for admins', () => {
    expect(refusalOf(() => requireCampaignAdmin({ userId: 'a1', role: 'ADMIN' }))).toBe('allowed');
    expect(refusalOf(() => requireCampaignAdmin({ userId: 'c1', role: 'CUSTOMER' }))).toBe('FORBIDDEN');
    expect(refusalOf(() => requireCampaignAdmin(ANONYMOUS))).toBe('UNAUTHENTICATED');
  });
});

describe('a payment', () => {
  const payment = { customerId: 'c1' };
  it('is seen by a signed-in caller who paid it, or an admin', () => {
    expect(refusalOf(() => requirePaymentViewer(ANONYMOUS))).toBe('UNAUTHENTICATED');
    expect(refusalOf(() => requireVisiblePayment(payment, { userId: 'c1', role: 'CUSTOMER' }))).toBe('allowed');
    expect(refusalOf(() => requireVisiblePayment(payment, { userId: 'a1', role: 'ADMIN' }))).toBe('allowed');
  });

  it('is hidden from other customers and owners', () => {
    expect(refusalOf(() => requireVisiblePayment(payment, { userId: 'c2', role: 'CUSTOMER' }))).toBe('FORBIDDEN');
    expect(refusalOf(() => requireVisiblePayment(payment, { userId: 'o1', role: 'OWNER' }))).toBe('FORBIDDEN');
  });
});

describe("an order's payment", () => {
  const payment = { customerId: 'c1' };
  it('is shown whole to its customer and to admins', () => {
    expect(paymentViewOf(payment, 'o1', { userId: 'c1', role: 'CUSTOMER' })).toBe('ALL');
    expect(paymentViewOf(payment, 'o1', { userId: 'a1', role: 'ADMIN' })).toBe('ALL');
  });

  it("shows the shop's owner its status and amount alone", () => {
    expect(paymentViewOf(payment, 'o1', { userId: 'o1', role: 'OWNER' })).toBe('STATUS_AND_AMOUNT');
    expect(refusalOf(() => requireWholePayment('STATUS_AND_AMOUNT'))).toBe('FORBIDDEN');
    expect(refusalOf(() => requireWholePayment('ALL'))).toBe('allowed');
    expect(refusalOf(() => requireWholePayment(undefined))).toBe('FORBIDDEN');
  });

  it("is not shown to another shop's owner, another customer, or anyone before the order's owner is known", () => {
    expect(paymentViewOf(payment, 'o1', { userId: 'o2', role: 'OWNER' })).toBeNull();
    expect(paymentViewOf(payment, null, { userId: 'o1', role: 'OWNER' })).toBeNull();
    expect(paymentViewOf(payment, 'o1', { userId: 'c2', role: 'CUSTOMER' })).toBeNull();
    expect(paymentViewOf(payment, 'o1', ANONYMOUS)).toBeNull();
  });
});
