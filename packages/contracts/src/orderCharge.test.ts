import jwt from 'jsonwebtoken';
import { signOrderCharge, verifyOrderCharge } from './orderCharge';

const charge = { orderId: 'o1', customerId: 'c1', total: 23000 };

const codeOf = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return (error as { extensions?: { code?: string; field?: string } }).extensions;
  }
  return 'no error';
};

describe('order charges', () => {
  it('round-trip what orders signed', () => {
    expect(verifyOrderCharge(signOrderCharge(charge))).toEqual(charge);
  });

  it('are null once expired, so payments falls back to its ledger', () => {
    expect(verifyOrderCharge(signOrderCharge(charge, -10))).toBeNull();
  });

  it('refuse a token with another secret, another audience, a changed total or garbage as BAD_USER_INPUT', () => {
    const forged = jwt.sign({ customerId: 'c1', total: 1 }, 'not-the-secret', {
      subject: 'o1',
      issuer: 'baedal-orders',
      audience: 'baedal-payments',
    });
    const [head, , signature] = signOrderCharge(charge).split('.');
    const tampered = `${head}.${Buffer.from(JSON.stringify({ customerId: 'c1', total: 1, sub: 'o1' })).toString('base64url')}.${signature}`;
    const identityToken = jwt.sign({ role: 'ADMIN' }, 'baedal-dev-charge-secret-change-me', { subject: 'o1' });
    for (const token of [forged, tampered, identityToken, 'garbage']) {
      expect(codeOf(() => verifyOrderCharge(token))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'paymentToken' });
    }
  });
});
