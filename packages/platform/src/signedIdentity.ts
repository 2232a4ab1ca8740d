import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { identitySecret } from './config';
import { unauthenticated } from './errors';
import { ANONYMOUS, ROLES, type Identity, type Role } from './identity';

/*
 * The gateway forwards the caller's identity to a subgraph in these headers,
 * signed so that only the gateway can speak to subgraphs, and bound to one
 * request: the signature covers the subgraph it is for (its audience), the
 * HTTP method, a hash of the body and the time, and a subgraph accepts it
 * for 30 seconds. Captured headers do not work with another body, at another
 * subgraph or later. Each audience signs with a key of its own, derived from
 * BAEDAL_IDENTITY_SECRET, so a subgraph's key makes no identity another
 * subgraph accepts. The hash travels as a header, so a subgraph checks the
 * signature before it reads a body, and the body against the hash after.
 */

export const IDENTITY_HEADERS = {
  user: 'x-baedal-user',
  role: 'x-baedal-role',
  issuedAt: 'x-baedal-issued-at',
  bodyHash: 'x-baedal-body-sha256',
  signature: 'x-baedal-signature',
} as const;

/** How long signed headers are accepted, either side of their time (clocks of two hosts differ a little). */
export const IDENTITY_WINDOW_MS = 30_000;

/** One request to a subgraph, as its signature covers it. */
export interface SignedRequest {
  /** The subgraph's name, as the supergraph names it. */
  audience: string;
  method?: string;
  body: string;
}

const audienceKeys = new Map<string, Buffer>();
/** The key that signs identity for one subgraph: derived from the shared secret, one per audience. */
function audienceKey(audience: string): Buffer {
  const secret = identitySecret();
  const cacheKey = `${secret}\n${audience}`;
  let key = audienceKeys.get(cacheKey);
  if (!key)
    audienceKeys.set(cacheKey, (key = createHmac('sha256', secret).update(`baedal identity for ${audience}`).digest()));
  return key;
}

export function bodyHash(body: string): string {
  return createHash('sha256').update(body).digest('base64url');
}

function sign(audience: string, method: string, hash: string, userId: string, role: string, issuedAt: string) {
  return createHmac('sha256', audienceKey(audience))
    .update(`${method.toUpperCase()}\n${hash}\n${userId}\n${role}\n${issuedAt}`)
    .digest('hex');
}

type HeaderSource = { get(name: string): string | undefined | null } | Record<string, string | string[] | undefined>;

function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | undefined | null }).get(name) ?? undefined;
  }
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The headers that carry `identity` in one request to a subgraph. */
export function identityHeaders(identity: Identity, request: SignedRequest, now = Date.now()): Record<string, string> {
  const userId = identity.userId ?? '';
  const issuedAt = String(now);
  const hash = bodyHash(request.body);
  return {
    [IDENTITY_HEADERS.user]: userId,
    [IDENTITY_HEADERS.role]: identity.role,
    [IDENTITY_HEADERS.issuedAt]: issuedAt,
    [IDENTITY_HEADERS.bodyHash]: hash,
    [IDENTITY_HEADERS.signature]: sign(
      request.audience,
      request.method ?? 'POST',
      hash,
      userId,
      identity.role,
      issuedAt,
    ),
  };
}

/**
 * A subgraph's view of the caller, from the headers alone (before the body is
 * read); throws UNAUTHENTICATED unless the gateway signed them for this
 * subgraph and method within the window. verifyBody checks the body after.
 */
export function verifyIdentityHeaders(
  headers: HeaderSource,
  request: { audience: string; method?: string },
  now = Date.now(),
): Identity {
  const userId = readHeader(headers, IDENTITY_HEADERS.user);
  const role = readHeader(headers, IDENTITY_HEADERS.role);
  const issuedAt = readHeader(headers, IDENTITY_HEADERS.issuedAt);
  const hash = readHeader(headers, IDENTITY_HEADERS.bodyHash);
  const signature = readHeader(headers, IDENTITY_HEADERS.signature);
  if (userId === undefined || !role || !issuedAt || !hash || !signature) {
    throw unauthenticated('Subgraphs only answer requests forwarded by the gateway');
  }
  const expected = Buffer.from(sign(request.audience, request.method ?? 'POST', hash, userId, role, issuedAt), 'hex');
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw unauthenticated('The identity headers are not signed by the gateway for this request');
  }
  const age = now - Number(issuedAt);
  if (!Number.isFinite(age) || age > IDENTITY_WINDOW_MS || age < -IDENTITY_WINDOW_MS) {
    throw unauthenticated('The identity headers have expired');
  }
  if (role === 'ANONYMOUS') return ANONYMOUS;
  if (!ROLES.includes(role as Role) || userId === '') {
    throw unauthenticated('The identity headers name an unknown role');
  }
  return { userId, role: role as Role };
}

/** Refuses a body that is not the one the identity headers were signed for. */
export function verifyBody(headers: HeaderSource, body: string): void {
  if (readHeader(headers, IDENTITY_HEADERS.bodyHash) !== bodyHash(body)) {
    throw unauthenticated('The identity headers were signed for another body');
  }
}
