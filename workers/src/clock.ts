import type Redis from 'ioredis';

/**
 * Whether this process takes its turn at a periodic job: the first of the
 * workers processes to ask in each period gets it, the others skip, so the
 * clock refresh (of the shops whose open-now or ad keys the clock changed)
 * runs once per period rather than once per process. Without Redis every
 * process runs it: the refresh is idempotent, and skipping it would leave
 * open-now stale.
 */
export async function takeTurn(redis: Redis, key: string, periodMs: number): Promise<boolean> {
  try {
    // A little shorter than the period, so the next period's first asker finds it expired.
    return (await redis.set(key, String(process.pid), 'PX', Math.max(1, periodMs - 1000), 'NX')) === 'OK';
  } catch {
    return true;
  }
}
