import { ANONYMOUS } from '@baedal/platform';
import { requireCampaignAdmin, requirePayingCustomer, requirePaymentViewer, requireVisiblePayment } from './access';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return 'allowed';
  } catch (error) {
    return (error as { extensions: { code: string } }).extensions.code;
  }
};

describe('paying and claiming coupons', () => {
  it('is for customers', () => {
    expect(requirePayingCustomer({ userId: 'c1', role: 'CUSTOMER' })).toBe('c1');
    expect(codeOf(() => requirePayingCustomer({ userId: 'o1', role: 'OWNER' }))).toBe('FORBIDDEN');
    expect(codeOf(() => requirePayingCustomer({ userId: 'a1', role: 'ADMIN' }))).toBe('FORBIDDEN');
    expect(codeOf(() => requirePayingCustomer(ANONYMOUS))).toBe('UNAUTHENTICATED');
  });
});

describe('coupon campaigns', () => {
  it('are for admins', () => {
    expect(codeOf(() => requireCampaignAdmin({ userId: 'a1', role: 'ADMIN' }))).toBe('allowed');
    expect(codeOf(() => requireCampaignAdmin({ userId: 'c1', role: 'CUSTOMER' }))).toBe('FORBIDDEN');
    expect(codeOf(() => requireCampaignAdmin(ANONYMOUS))).toBe('UNAUTHENTICATED');
  });
});

describe('a payment', () => {
  const payment = { customerId: 'c1' };
  it('is seen by a signed-in caller who paid it, or an admin', () => {
    expect(codeOf(() => requirePaymentViewer(ANONYMOUS))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => requireVisiblePayment(payment, { userId: 'c1', role: 'CUSTOMER' }))).toBe('allowed');
    expect(codeOf(() => requireVisiblePayment(payment, { userId: 'a1', role: 'ADMIN' }))).toBe('allowed');
  });

  it('is hidden from other customers and owners', () => {
    expect(codeOf(() => requireVisiblePayment(payment, { userId: 'c2', role: 'CUSTOMER' }))).toBe('FORBIDDEN');
    expect(codeOf(() => requireVisiblePayment(payment, { userId: 'o1', role: 'OWNER' }))).toBe('FORBIDDEN');
  });
});
