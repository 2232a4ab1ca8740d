import Redis from 'ioredis';
import { createLogger, redisUrl, stopOnSignals } from '@baedal/platform';

/*
 * The workers process: consumers that carry events between domains run here.
 * At this stage it checks its Redis; consumers arrive with the domains that
 * publish events.
 */

const log = createLogger('workers');

/** Queues must never be evicted: a lost job is a lost event. */
export async function checkRedisPolicy(redis: Redis): Promise<string> {
  const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
  if (policy !== 'noeviction') {
    log.error({ policy }, `REDIS maxmemory-policy is "${policy}"; queues need "noeviction" or jobs can be silently evicted`);
  }
  return policy;
}

async function main(): Promise<void> {
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  await checkRedisPolicy(redis);
  log.info('workers started');
  stopOnSignals(log, async () => {
    redis.disconnect();
  });
}

if (require.main === module) {
  main().catch((error) => {
    log.error({ err: error }, 'workers failed to start');
    process.exit(1);
  });
}
