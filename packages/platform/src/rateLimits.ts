import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { DomainError } from './errors';

/*
 * Counting attempts against a limit (rate-limiter-flexible): every process
 * shares the counts through Redis; when Redis does not answer, each process
 * counts for itself (the insurance limiter), so limits fail open, never
 * closed. The gateway's rate limits and the sign-in limits both count here.
 */

export interface AttemptLimit {
  /** What is counted, in the Redis keys. */
  name: string;
  points: number;
  durationSeconds: number;
}

/** The Redis client the counts are kept in (ioredis); typed loosely so this package needs no client of its own. */
export type CountStore = object;

export class AttemptCounter {
  private readonly limiter: RateLimiterRedis;

  constructor(
    store: CountStore,
    prefix: string,
    readonly limit: AttemptLimit,
  ) {
    const options = {
      points: limit.points,
      duration: limit.durationSeconds,
      keyPrefix: `${prefix}:limit:${limit.name}`,
    };
    this.limiter = new RateLimiterRedis({
      ...options,
      storeClient: store,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(options),
    });
  }

  /** Counts an attempt: null while within the limit, else the seconds until another is allowed. */
  async take(key: string): Promise<number | null> {
    try {
      await this.limiter.consume(key);
      return null;
    } catch (refusal) {
      if (refusal instanceof RateLimiterRes) return Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
      return null; // neither store answered: fail open
    }
  }

  /** Without counting: null while attempts are left, else the seconds until one is. */
  async exhausted(key: string): Promise<number | null> {
    try {
      const state = await this.limiter.get(key);
      return state && state.consumedPoints >= this.limit.points
        ? Math.max(1, Math.ceil(state.msBeforeNext / 1000))
        : null;
    } catch {
      return null;
    }
  }

  async forget(key: string): Promise<void> {
    await this.limiter.delete(key).catch(() => undefined);
  }
}

/** The refusal of one attempt too many: TOO_MANY_REQUESTS, saying when to try again. */
export function tooManyRequests(what: string, retryAfterSeconds: number): DomainError {
  return new DomainError('TOO_MANY_REQUESTS', `Too many ${what}; try again in ${retryAfterSeconds} s`, {
    retryAfterSeconds,
  });
}
