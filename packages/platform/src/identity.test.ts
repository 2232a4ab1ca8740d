import jwt from 'jsonwebtoken';
import { ANONYMOUS, identityFromAuthorization, issueToken, requireRole } from './identity';
import {
  IDENTITY_HEADERS,
  IDENTITY_WINDOW_MS,
  identityHeaders,
  verifyBody,
  verifyIdentityHeaders,
} from './signedIdentity';

const codeOf = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return (error as { extensions?: { code?: string } }).extensions?.code;
  }
  return 'no error';
};

describe('tokens', () => {
  it('round-trips a signed-in user', () => {
    const token = issueToken({ id: 'u1', role: 'OWNER' });
    expect(identityFromAuthorization(`Bearer ${token}`)).toEqual({ userId: 'u1', role: 'OWNER' });
  });

  it('treats a missing header as anonymous', () => {
    expect(identityFromAuthorization(undefined)).toEqual(ANONYMOUS);
  });

  it('refuses a token signed with another secret, an expired token and a malformed header', () => {
    const forged = jwt.sign({ role: 'ADMIN' }, 'not-the-secret', { subject: 'u1', issuer: 'baedal' });
    expect(codeOf(() => identityFromAuthorization(`Bearer ${forged}`))).toBe('UNAUTHENTICATED');
    const expired = issueToken({ id: 'u1', role: 'CUSTOMER' }, -10);
    expect(codeOf(() => identityFromAuthorization(`Bearer ${expired}`))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => identityFromAuthorization('Basic abc'))).toBe('UNAUTHENTICATED');
  });

  it('verifies a token once, then knows it until it expires, and refuses it after', () => {
    const verify = jest.spyOn(jwt, 'verify');
    jest.useFakeTimers({ now: Date.now() });
    try {
      const token = issueToken({ id: 'u2', role: 'CUSTOMER' }, 60);
      expect([identityFromAuthorization(`Bearer ${token}`), identityFromAuthorization(`Bearer ${token}`)]).toEqual([
        { userId: 'u2', role: 'CUSTOMER' },
        { userId: 'u2', role: 'CUSTOMER' },
      ]);
      expect(verify).toHaveBeenCalledTimes(1);
      jest.setSystemTime(Date.now() + 61_000);
      expect(codeOf(() => identityFromAuthorization(`Bearer ${token}`))).toBe('UNAUTHENTICATED');
    } finally {
      jest.useRealTimers();
      verify.mockRestore();
    }
  });
});

describe('identity headers', () => {
  const customer = { userId: 'c1', role: 'CUSTOMER' } as const;
  const body = '{"query":"{ me { id } }"}';
  const request = { audience: 'shops', method: 'POST', body };
  const verified = (headers: Record<string, string>, to = request, now?: number) => {
    const identity = verifyIdentityHeaders(headers, to, now);
    verifyBody(headers, to.body);
    return identity;
  };

  it('verify when signed by the gateway for this subgraph, method and body', () => {
    expect(verified(identityHeaders(customer, request))).toEqual(customer);
    expect(verified(identityHeaders(ANONYMOUS, request))).toEqual(ANONYMOUS);
  });

  it('are refused when missing or tampered with', () => {
    expect(codeOf(() => verified({}))).toBe('UNAUTHENTICATED');
    const headers = identityHeaders(customer, request);
    expect(codeOf(() => verified({ ...headers, [IDENTITY_HEADERS.role]: 'ADMIN' }))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => verified({ ...headers, [IDENTITY_HEADERS.user]: 'c2' }))).toBe('UNAUTHENTICATED');
  });

  it('are refused with another body, at another subgraph, for another method or outside 30 s', () => {
    const headers = identityHeaders(customer, request);
    expect(codeOf(() => verified(headers, { ...request, body: '{"query":"{ me { email } }"}' }))).toBe(
      'UNAUTHENTICATED',
    );
    // A hash that matches the new body does not help: the signature covers the hash.
    const rehashed = {
      ...headers,
      [IDENTITY_HEADERS.bodyHash]: identityHeaders(customer, { ...request, body: '{}' })[IDENTITY_HEADERS.bodyHash],
    };
    expect(codeOf(() => verified(rehashed, { ...request, body: '{}' }))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => verified(headers, { ...request, audience: 'ads' }))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => verified(headers, { ...request, method: 'GET' }))).toBe('UNAUTHENTICATED');
    const now = Date.now();
    const at = identityHeaders(customer, request, now);
    expect(verified(at, request, now + IDENTITY_WINDOW_MS)).toEqual(customer);
    expect(codeOf(() => verified(at, request, now + IDENTITY_WINDOW_MS + 1))).toBe('UNAUTHENTICATED');
  });

  it("made for one subgraph's audience are refused by every other", () => {
    const audiences = ['shops', 'ads', 'orders', 'payments', 'reviews'];
    for (const signedFor of audiences)
      for (const to of audiences) {
        const headers = identityHeaders(customer, { ...request, audience: signedFor });
        const accepted = codeOf(() => verified(headers, { ...request, audience: to })) === 'no error';
        expect([signedFor, to, accepted]).toEqual([signedFor, to, signedFor === to]);
      }
  });
});

describe('requireRole', () => {
  it('distinguishes anonymous (UNAUTHENTICATED) from the wrong role (FORBIDDEN)', () => {
    expect(codeOf(() => requireRole(ANONYMOUS, 'OWNER'))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => requireRole({ userId: 'c1', role: 'CUSTOMER' }, 'OWNER'))).toBe('FORBIDDEN');
    expect(requireRole({ userId: 'o1', role: 'OWNER' }, 'OWNER')).toBe('o1');
  });
});
