import type { IncomingHttpHeaders } from 'node:http';
import proxyaddr from 'proxy-addr';
import Redis from 'ioredis';
import { AttemptCounter, redisPrefix, redisUrl, tooManyRequests, type CountStore, type Logger } from '@baedal/platform';
import { namesIn, type GatewaySettings } from './config';
import type { RateLimit } from './operation';

/*
 * How often one address and one account may ask for what costs: every
 * mutation, the reads the settings name (search), and signing in. Counts are
 * shared by every gateway process through Redis (platform's AttemptCounter:
 * per process when Redis is away, so the limits fail open). Every mutation
 * counts unless the settings say otherwise: a field counted per account
 * alone (a coupon burst comes from customers behind shared addresses) is
 * declared, not inferred. A kept shared answer (the response cache) costs
 * nothing and is not counted.
 */

export interface RateLimitPolicy {
  windowSeconds: number;
  perAddress: { mutations: number; reads: number; signIn: number };
  perAccount: { mutations: number; reads: number };
  /** Reads counted (BAEDAL_RATE_LIMITED_READS). */
  countedReads: ReadonlySet<string>;
  /** Root fields that sign in or up: counted per address, more tightly. */
  signIn: ReadonlySet<string>;
  /** Mutations counted per account alone (BAEDAL_RATE_LIMIT_ACCOUNT_ONLY). */
  accountOnly: ReadonlySet<string>;
}

export function rateLimit(store: CountStore, prefix: string, policy: RateLimitPolicy): RateLimit {
  const counter = (name: string, points: number) =>
    new AttemptCounter(store, prefix, { name, points, durationSeconds: policy.windowSeconds });
  const address = {
    mutations: counter('address-mutations', policy.perAddress.mutations),
    reads: counter('address-reads', policy.perAddress.reads),
    signIn: counter('address-sign-in', policy.perAddress.signIn),
  };
  const account = {
    mutations: counter('account-mutations', policy.perAccount.mutations),
    reads: counter('account-reads', policy.perAccount.reads),
  };
  return async (decision, { clientIp, userId }) => {
    const fields = [...decision.reaches];
    const counts: [AttemptCounter, string, string][] = [];
    if (fields.some((f) => policy.signIn.has(f))) counts.push([address.signIn, clientIp, 'sign-ins from this address']);
    if (decision.mutation) {
      if (!fields.every((f) => policy.accountOnly.has(f)))
        counts.push([address.mutations, clientIp, 'changes from this address']);
      if (userId) counts.push([account.mutations, userId, 'changes from this account']);
    } else if (fields.some((f) => policy.countedReads.has(f))) {
      counts.push([address.reads, clientIp, 'searches from this address']);
      if (userId) counts.push([account.reads, userId, 'searches from this account']);
    }
    if (counts.length === 0) return null;
    const waits = await Promise.all(counts.map(([c, key]) => c.take(key)));
    const refused = waits.findIndex((wait) => wait !== null);
    if (refused < 0) return null;
    const error = tooManyRequests(counts[refused][2], waits[refused]!);
    (error.extensions as Record<string, unknown>).http = {
      status: 429,
      headers: new Map([['retry-after', String(waits[refused])]]),
    };
    return error;
  };
}

/**
 * The client's address: the connection's, or, when the connection comes from
 * a trusted proxy (BAEDAL_TRUSTED_PROXIES, as a Kubernetes ingress), the one
 * X-Forwarded-For names before the trusted hops (proxy-addr, as Express does).
 */
export function clientAddress(trusted: string[]): (headers: IncomingHttpHeaders, remoteAddress: string) => string {
  const trust = proxyaddr.compile(trusted);
  return (headers, remoteAddress) =>
    proxyaddr({ headers, connection: { remoteAddress }, socket: { remoteAddress } } as never, trust);
}

/** The gateway's rate limits as its settings set them (none when BAEDAL_RATE_LIMITS is off), on a connection of their own. */
export function gatewayRateLimit(settings: GatewaySettings, log: Logger): { rateLimit?: RateLimit; close(): void } {
  if (!settings.BAEDAL_RATE_LIMITS) return { close: () => undefined };
  // Failing fast: while Redis is away each process counts alone (fail open).
  const counts = new Redis(redisUrl(), { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  counts.on('error', (error) => log.debug({ err: error }, 'rate limit counts unavailable'));
  return {
    rateLimit: rateLimit(counts, redisPrefix(), {
      windowSeconds: settings.BAEDAL_RATE_LIMIT_WINDOW_SECONDS,
      perAddress: {
        mutations: settings.BAEDAL_RATE_LIMIT_ADDRESS_MUTATIONS,
        reads: settings.BAEDAL_RATE_LIMIT_ADDRESS_READS,
        signIn: settings.BAEDAL_RATE_LIMIT_ADDRESS_SIGN_IN,
      },
      perAccount: {
        mutations: settings.BAEDAL_RATE_LIMIT_ACCOUNT_MUTATIONS,
        reads: settings.BAEDAL_RATE_LIMIT_ACCOUNT_READS,
      },
      countedReads: new Set(namesIn(settings.BAEDAL_RATE_LIMITED_READS)),
      signIn: new Set(namesIn(settings.BAEDAL_RATE_LIMIT_SIGN_IN_FIELDS)),
      accountOnly: new Set(namesIn(settings.BAEDAL_RATE_LIMIT_ACCOUNT_ONLY)),
    }),
    close: () => counts.disconnect(),
  };
}
