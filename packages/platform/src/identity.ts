import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { LRUCache } from 'lru-cache';
import { jwtSecret, tokenLifetimes } from './config';
import { forbidden, unauthenticated } from './errors';

export const ROLES = ['CUSTOMER', 'OWNER', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling. `userId` is null for an anonymous customer browsing the app. */
export interface Identity {
  userId: string | null;
  role: Role | 'ANONYMOUS';
}

export const ANONYMOUS: Identity = Object.freeze({ userId: null, role: 'ANONYMOUS' });

const hmacKeys = new Map<string, KeyObject>();
/**
 * The secret as a key object. Given a string, jsonwebtoken first tries to read
 * it as a PEM key and throws, on every call: the profile showed that attempt
 * as a fifth of the gateway's CPU under signed-in load (docs/performance.md, P13).
 */
export function hmacKey(secret: string): KeyObject {
  let key = hmacKeys.get(secret);
  if (!key) hmacKeys.set(secret, (key = createSecretKey(Buffer.from(secret, 'utf8'))));
  return key;
}

/** An access token: at most an hour (BAEDAL_ACCESS_TOKEN_TTL_SECONDS); a session's refresh token renews it. */
export function issueToken(user: { id: string; role: Role }, ttlSeconds = tokenLifetimes().accessSeconds): string {
  return jwt.sign({ role: user.role }, hmacKey(jwtSecret()), {
    algorithm: 'HS256',
    subject: user.id,
    expiresIn: ttlSeconds,
    issuer: 'baedal',
  });
}

// Tokens already verified, until they expire: a customer sends the same token with every request, and
// verifying it (decoding, parsing, an HMAC) was about 7% of the gateway's CPU under signed-in load (P14).
const verifiedTokens = new LRUCache<string, { identity: Identity; expiresAt: number }>({ max: 50_000 });

/** Reads an `Authorization: Bearer` header; no header means anonymous, a bad token is refused. */
export function identityFromAuthorization(header: string | undefined): Identity {
  if (!header) return ANONYMOUS;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>"');
  const token = match[1];
  const known = verifiedTokens.get(token);
  if (known && Date.now() < known.expiresAt) return known.identity;
  try {
    const claims = jwt.verify(token, hmacKey(jwtSecret()), { algorithms: ['HS256'], issuer: 'baedal' });
    const role: unknown = typeof claims === 'string' ? undefined : claims.role;
    if (typeof claims === 'string' || !claims.sub || !ROLES.includes(role as Role)) {
      throw new Error('malformed claims');
    }
    const identity: Identity = Object.freeze({ userId: claims.sub, role: role as Role });
    if (typeof claims.exp === 'number') verifiedTokens.set(token, { identity, expiresAt: claims.exp * 1000 });
    return identity;
  } catch (error) {
    const expired = error instanceof jwt.TokenExpiredError;
    throw unauthenticated(expired ? 'Your token has expired; sign in again' : 'Your token is not valid; sign in again');
  }
}

/** Guards for resolvers: each returns the signed-in user's id or throws. */
export function requireSignedIn(identity: Identity): string {
  if (!identity.userId) throw unauthenticated();
  return identity.userId;
}

export function requireRole(identity: Identity, ...roles: Role[]): string {
  const userId = requireSignedIn(identity);
  if (!roles.includes(identity.role as Role)) {
    throw forbidden(`This needs a ${roles.map((r) => r.toLowerCase()).join(' or ')} account`);
  }
  return userId;
}
