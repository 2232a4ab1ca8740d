import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/**
 * The stable `extensions.code` values clients can rely on. Listed in the README;
 * add new ones there too.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'ORDER_STATE_CONFLICT'
  | 'SERVICE_UNAVAILABLE'
  | 'PAYMENT_DECLINED'
  | 'PAYMENT_PROVIDER_UNAVAILABLE'
  | 'COUPON_NOT_STARTED'
  | 'COUPON_SOLD_OUT'
  | 'COUPON_ALREADY_CLAIMED'
  | 'COUPON_EXPIRED'
  | 'TOO_MANY_REQUESTS'
  | 'CURSOR_EXPIRED'
  | 'SUBSCRIBER_TOO_SLOW'
  | 'REVIEW_WINDOW_CLOSED'
  | 'EDIT_WINDOW_CLOSED'
  | 'INSUFFICIENT_BALANCE'
  | 'AD_SLOTS_FULL'
  | 'INTERNAL_SERVER_ERROR';

/**
 * The codes a domain raises on purpose: answers, not failures. The gateway
 * serves a subgraph's answer carrying only these; any other error (an
 * internal one, a lost database, whatever the cause) is a failure it answers
 * from the kept copy or with SERVICE_UNAVAILABLE.
 */
export const DOMAIN_ERROR_CODES = [
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'CONFLICT',
  'ORDER_STATE_CONFLICT',
  'PAYMENT_DECLINED',
  'PAYMENT_PROVIDER_UNAVAILABLE',
  'COUPON_NOT_STARTED',
  'COUPON_SOLD_OUT',
  'COUPON_ALREADY_CLAIMED',
  'COUPON_EXPIRED',
  'TOO_MANY_REQUESTS',
  'CURSOR_EXPIRED',
  'SUBSCRIBER_TOO_SLOW',
  'REVIEW_WINDOW_CLOSED',
  'EDIT_WINDOW_CLOSED',
  'INSUFFICIENT_BALANCE',
  'AD_SLOTS_FULL',
] as const satisfies readonly ErrorCode[];

/**
 * The one error type every domain throws. Resolvers let it propagate; Apollo
 * turns it into a GraphQL error carrying `extensions.code` (and `field` for
 * input errors).
 */
export class DomainError extends GraphQLError {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extra } });
    this.code = code;
  }
}

export const badInput = (field: string, message: string) => new DomainError('BAD_USER_INPUT', message, { field });
export const notFound = (what: string, id: string) =>
  new DomainError('NOT_FOUND', `${what} ${id} does not exist`, { id });
export const unauthenticated = (message = 'You must be signed in to do this') =>
  new DomainError('UNAUTHENTICATED', message);
export const forbidden = (message: string) => new DomainError('FORBIDDEN', message);

/**
 * A unique constraint refused a write: Prisma's P2002 from a model call, the
 * adapter's error from a Prisma raw statement, or Postgres's 23505 from the driver itself.
 */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: string } } } } | null;
  return (
    !!e &&
    (e.code === 'P2002' ||
      e.code === '23505' ||
      e.meta?.driverAdapterError?.cause?.kind === 'UniqueConstraintViolation')
  );
}

/**
 * Apollo `formatError`: domain errors pass through, and anything else is an
 * internal error reported without its message. Failures are not told apart
 * by driver codes: the gateway counts every error that is not a domain
 * answer as a failure of the subgraph (DOMAIN_ERROR_CODES), whatever broke.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  if (original instanceof DomainError) return formatted;
  const code = formatted.extensions?.code;
  // Errors Apollo raised itself (validation, parsing, bad variables) already carry a precise code.
  if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') return formatted;
  return { ...formatted, message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
