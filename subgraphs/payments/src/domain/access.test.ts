import { refusalOf } from '@baedal/platform/testing';
import { ANONYMOUS } from '@baedal/platform';
import { requireCampaignAdmin, requirePayingCustomer, requirePaymentViewer, requireVisiblePayment } from './access';

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
