import jwt from 'jsonwebtoken';
import {
  ANONYMOUS,
  IDENTITY_HEADERS,
  identityFromAuthorization,
  identityHeaders,
  issueToken,
  requireRole,
  verifyIdentityHeaders,
} from './identity';

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
  it('verify when signed by the gateway', () => {
    const headers = identityHeaders({ userId: 'c1', role: 'CUSTOMER' });
    expect(verifyIdentityHeaders(headers)).toEqual({ userId: 'c1', role: 'CUSTOMER' });
    expect(verifyIdentityHeaders(identityHeaders(ANONYMOUS))).toEqual(ANONYMOUS);
  });

  it('are refused when missing, tampered with or stale', () => {
    expect(codeOf(() => verifyIdentityHeaders({}))).toBe('UNAUTHENTICATED');
    const headers = identityHeaders({ userId: 'c1', role: 'CUSTOMER' });
    expect(codeOf(() => verifyIdentityHeaders({ ...headers, [IDENTITY_HEADERS.role]: 'ADMIN' }))).toBe(
      'UNAUTHENTICATED',
    );
    expect(codeOf(() => verifyIdentityHeaders({ ...headers, [IDENTITY_HEADERS.user]: 'c2' }))).toBe('UNAUTHENTICATED');
    const old = identityHeaders({ userId: 'c1', role: 'CUSTOMER' }, Date.now() - 10 * 60 * 1000);
    expect(codeOf(() => verifyIdentityHeaders(old))).toBe('UNAUTHENTICATED');
  });
});

describe('requireRole', () => {
  it('distinguishes anonymous (UNAUTHENTICATED) from the wrong role (FORBIDDEN)', () => {
    expect(codeOf(() => requireRole(ANONYMOUS, 'OWNER'))).toBe('UNAUTHENTICATED');
    expect(codeOf(() => requireRole({ userId: 'c1', role: 'CUSTOMER' }, 'OWNER'))).toBe('FORBIDDEN');
    expect(requireRole({ userId: 'o1', role: 'OWNER' }, 'OWNER')).toBe('o1');
  });
});
