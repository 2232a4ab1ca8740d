import Redis from 'ioredis';
import type { Worker } from 'bullmq';
import { ownership } from '@baedal/ads/events';
import { OutboxRelay, startConsumer } from '@baedal/events';
import { replica } from '@baedal/orders/events';
import { SERVICES, createLogger, databaseUrl, redisPrefix, redisUrl, stopOnSignals } from '@baedal/platform';
import { createAdsClient } from '@baedal/prisma/ads';
import { createOrdersClient } from '@baedal/prisma/orders';
import { createShopsClient } from '@baedal/prisma/shops';
import { projection, refreshClockKeys } from '@baedal/shops/events';


/*
 * The workers process: one outbox relay per service database, and the
 * consumers that carry events into each domain (the shops query model, the
 * orders replica, ads' record of shop owners), each on its own queue.
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

const CLOCK_REFRESH_MS = 30_000;

async function main(): Promise<void> {
  const prefix = redisPrefix();
  // Workers block on their connection and must retry forever; the relays must fail fast instead, so a
  // Redis outage rolls their batch back rather than holding outbox rows locked.
  const workerRedis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  const relayRedis = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
  for (const redis of [workerRedis, relayRedis]) redis.on('error', (error) => log.warn({ err: error }, 'redis error'));
  await checkRedisPolicy(workerRedis);

  const shopsDb = createShopsClient(undefined, 5);
  const ordersDb = createOrdersClient(undefined, 5);
  const adsDb = createAdsClient(undefined, 3);

  const relays = SERVICES.map((source) => new OutboxRelay({ source, databaseUrl: databaseUrl(source), redis: relayRedis, prefix, log }));
  for (const relay of relays) await relay.start();

  const consumers: Worker[] = [
    startConsumer({ consumer: 'shops', handlers: projection, transaction: (work) => shopsDb.$transaction(work), connection: workerRedis, prefix, log }),
    startConsumer({ consumer: 'orders', handlers: replica, transaction: (work) => ordersDb.$transaction(work), connection: workerRedis, prefix, log }),
    startConsumer({ consumer: 'ads', handlers: ownership, transaction: (work) => adsDb.$transaction(work), connection: workerRedis, prefix, log }),
  ];

  const clock = setInterval(() => {
    refreshClockKeys(shopsDb).then(
      (changed) => changed && log.info({ changed }, 'refreshed open-now and ad keys'),
      (error) => log.warn({ err: error }, 'clock refresh failed'),
    );
  }, CLOCK_REFRESH_MS);

  log.info({ relays: SERVICES, consumers: consumers.map((c) => c.name) }, 'workers started');
  stopOnSignals(log, async () => {
    clearInterval(clock);
    // Finish the jobs in hand, then stop taking new ones.
    await Promise.all(consumers.map((c) => c.close()));
    await Promise.all(relays.map((r) => r.stop()));
    await Promise.all([shopsDb.$disconnect(), ordersDb.$disconnect(), adsDb.$disconnect()]);
    workerRedis.disconnect();
    relayRedis.disconnect();
  });
}

if (require.main === module) {
  main().catch((error) => {
    log.error({ err: error }, 'workers failed to start');
    process.exit(1);
  });
}
