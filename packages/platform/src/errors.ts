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
  | 'INTERNAL_SERVER_ERROR';

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

/** Errors from the Postgres driver that mean "the database is unreachable", not "bad query". */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const e = current as {
      code?: unknown;
      name?: unknown;
      message?: unknown;
      cause?: unknown;
      meta?: { driverAdapterError?: { cause?: { kind?: string } } };
    };
    // Prisma over a driver adapter: the adapter's error kind says what happened.
    const kind = e.meta?.driverAdapterError?.cause?.kind;
    if (
      kind &&
      /DatabaseNotReachable|ConnectionClosed|SocketTimeout|TooManyConnections|DatabaseDoesNotExist|TransactionAlreadyClosed/.test(
        kind,
      )
    )
      return true;
    if (
      typeof e.code === 'string' &&
      /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|57P0[123]|08\d{3})$/.test(e.code)
    ) {
      return true;
    }
    if (e.name === 'DriverAdapterError' || e.name === 'PrismaClientInitializationError') return true;
    if (
      typeof e.message === 'string' &&
      /ECONNREFUSED|Connection terminated|connect ETIMEDOUT|DatabaseNotReachable|Can't reach database server|timeout exceeded when trying to connect/.test(
        e.message,
      )
    ) {
      return true;
    }
    current = e.cause;
  }
  return false;
}

/**
 * Apollo `formatError`: domain errors pass through, a lost database becomes
 * SERVICE_UNAVAILABLE, and anything else is reported as an internal error
 * without leaking its message.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  if (original instanceof DomainError) return formatted;
  const code = formatted.extensions?.code;
  // Errors Apollo raised itself (validation, parsing, bad variables) already carry a precise code.
  if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') return formatted;
  if (isDatabaseUnavailable(original)) {
    return {
      ...formatted,
      message: 'The service cannot reach its database; try again shortly',
      extensions: { code: 'SERVICE_UNAVAILABLE' },
    };
  }
  return { ...formatted, message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
