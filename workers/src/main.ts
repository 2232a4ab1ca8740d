import Redis from 'ioredis';
import { Worker } from 'bullmq';
import { ownership } from '@baedal/ads/events';
import { OutboxRelay, startConsumer } from '@baedal/events';
import { replica, riderSimulator } from '@baedal/orders/events';
import { CLAIMS_QUEUE } from '@baedal/payments/coupons';
import { orderPayments, persistCouponClaim } from '@baedal/payments/events';
import { eligibility } from '@baedal/reviews/events';
import http from 'node:http';
import os from 'node:os';
import {
  SERVICES,
  closeServer,
  createLogger,
  databaseUrl,
  forkPerCore,
  listen,
  port,
  processCount,
  queryModelChannel,
  type QueryModelChange,
  redisPrefix,
  redisUrl,
  sendJson,
  stopOnSignals,
} from '@baedal/platform';
import { createAdsClient } from '@baedal/prisma/ads';
import { createReviewsClient } from '@baedal/prisma/reviews';
import { projection, projectionTransaction, refreshClockKeys } from '@baedal/shops/events';
// Orders, payments and shops apply events with their own db modules: one pool per database in this process
// (their event handlers already load those modules). Orders and payments apply the order flow's events with
// raw statements in driver transactions, a fraction of Prisma's interactive ones (docs/benchmarks.md), and so
// does shops for a batch of placed orders alone (projectionTransaction).
import { db as ordersDb, sql as ordersSql } from '@baedal/orders/db';
import { db as paymentsDb, sql as paymentsSql } from '@baedal/payments/db';
import { db as shopsDb, sql as shopsSql } from '@baedal/shops/db';
import { takeTurn } from './clock';

/*
 * The workers process: one outbox relay per service database, and the
 * consumers that carry events into each domain, each on its own queue:
 * shops (query model, popularity), orders (replica of shops and menus),
 * ads (shop owners), reviews (reviewable orders), payments (refunds) and
 * delivery (the rider simulator). BAEDAL_WORKERS_ROLES=relays or =consumers
 * runs only one half (tests use it to hold events between the two).
 * WORKERS_PROCESSES copies run side by side (one unless set): one relay per
 * database leads (an advisory lock) while the others stand by, and consumers
 * share their queues, so copies split the work.
 */

const log = createLogger('workers');

/** Queues must never be evicted: a lost job is a lost event. */
export async function checkRedisPolicy(redis: Redis): Promise<string> {
  const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
  if (policy !== 'noeviction') {
    log.error(
      { policy },
      `REDIS maxmemory-policy is "${policy}"; queues need "noeviction" or jobs can be silently evicted`,
    );
  }
  return policy;
}

const CLOCK_REFRESH_MS = 30_000;
/*
 * While orders flow, a relay round every few milliseconds would carry one or two events, and each
 * consumer would apply them one transaction each. Rounds at most every 50 ms, and consumers that wait
 * 10 ms to gather a burst, carry events in batches instead, at a cost of tens of milliseconds of lag:
 * at 50 orders/s an order cost the workers 4.9-7.5 ms of CPU instead of 8.5-9.2 with 10 ms and 2 ms,
 * and Postgres 5.2-5.9 instead of 7.3-8.0 (docs/benchmarks.md has the measurements).
 */
const RELAY_INTERVAL_MS = Number(process.env.BAEDAL_RELAY_INTERVAL_MS ?? 50);
const CONSUMER_LINGER_MS = Number(process.env.BAEDAL_CONSUMER_LINGER_MS ?? 10);

/*
 * Events move orders on (a paid order is PLACED only once orders applies payment.approved) and keep
 * the customer query model fresh, so when requests fill the machine the workers must not be the
 * ones that wait: they run at a higher CPU priority than the request-serving processes (nice -5,
 * about three times their weight). On two cores saturated by ordering, at equal priority the
 * consumers fell up to a second behind; prioritized, their median lag stayed at 40-130 ms
 * (docs/benchmarks.md). Lowering a nice value needs the privilege to (root, CAP_SYS_NICE); without
 * it the workers run at the priority they were given.
 */
function takePriority(): void {
  const nice = Number(process.env.WORKERS_NICE ?? -5);
  try {
    os.setPriority(nice);
  } catch (error) {
    log.warn({ err: error, nice }, "cannot raise the workers' CPU priority; running at the one given");
  }
}

async function main(): Promise<void> {
  const prefix = redisPrefix();
  // Workers block on their connection and must retry forever; the relays must fail fast instead, so a
  // Redis outage rolls their batch back rather than holding outbox rows locked.
  const workerRedis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  const relayRedis = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
  for (const redis of [workerRedis, relayRedis]) redis.on('error', (error) => log.warn({ err: error }, 'redis error'));
  await checkRedisPolicy(workerRedis);

  const roles = (process.env.BAEDAL_WORKERS_ROLES ?? 'relays,consumers').split(',');
  const adsDb = createAdsClient(undefined, 3);
  const reviewsDb = createReviewsClient(undefined, 3);

  const relays = roles.includes('relays')
    ? SERVICES.map(
        (source) =>
          new OutboxRelay({
            source,
            databaseUrl: databaseUrl(source),
            redis: relayRedis,
            prefix,
            log,
            minIntervalMs: RELAY_INTERVAL_MS,
          }),
      )
    : [];
  for (const relay of relays) await relay.start();

  const common = { connection: workerRedis, prefix, log, lingerMs: CONSUMER_LINGER_MS };
  const consumers: Worker[] = roles.includes('consumers')
    ? [
        startConsumer({
          consumer: 'shops',
          handlers: projection,
          transaction: projectionTransaction(shopsDb, shopsSql),
          ...common,
        }),
        // Orders and payments apply their order events set-based, where a batch of 64 costs little more than one of 16
        // (drain: 2,300-2,900 -> 3,200-3,700 applications/s). The projection's shop events are applied one by one and
        // share counter rows, so shops keeps smaller transactions.
        startConsumer({
          consumer: 'orders',
          handlers: replica,
          transaction: (work) => ordersSql.$transaction(work),
          batch: 64,
          ...common,
        }),
        startConsumer({
          consumer: 'ads',
          handlers: ownership,
          transaction: (work) => adsDb.$transaction(work),
          ...common,
        }),
        startConsumer({
          consumer: 'reviews',
          handlers: eligibility,
          transaction: (work) => reviewsDb.$transaction(work),
          ...common,
        }),
        startConsumer({
          consumer: 'payments',
          handlers: orderPayments,
          transaction: (work) => paymentsSql.$transaction(work),
          batch: 64,
          ...common,
        }),
        // The simulated rider keeps its bookkeeping in the orders database, whose orders it moves.
        // Each event alone (side by side, ONE_EVENT_PER_JOB): the rider's handler waits on purpose, and a batch would wait for each rider in turn.
        startConsumer({
          consumer: 'delivery',
          handlers: riderSimulator,
          transaction: (work) => ordersSql.$transaction(work),
          ...common,
        }),
        // Coupon claims decided in Redis, persisted into the payments database.
        new Worker(CLAIMS_QUEUE, (job) => persistCouponClaim(job.data), {
          connection: workerRedis,
          prefix,
          concurrency: 16,
        }),
      ]
    : [];

  // Tell the gateways' response caches when the customer query model changed (at most every 100 ms).
  let announce: NodeJS.Timeout | null = null;
  let pending: QueryModelChange = 'listings';
  const queryModelChanged = (change: QueryModelChange) => {
    if (change === 'documents') pending = 'documents';
    announce ??= setTimeout(() => {
      const message = pending;
      announce = null;
      pending = 'listings';
      relayRedis
        .publish(queryModelChannel(), message)
        .catch((error) => log.warn({ err: error }, 'cannot announce a query model change'));
    }, 100);
  };
  consumers.find((c) => c.name === 'shops')?.on('completed', () => queryModelChanged('documents'));

  const clock = setInterval(async () => {
    if (!(await takeTurn(relayRedis, `${prefix}:clock-refresh`, CLOCK_REFRESH_MS))) return;
    refreshClockKeys(shopsSql, shopsDb).then(
      (changed) => {
        if (!changed) return;
        log.info({ changed }, 'refreshed open-now and ad keys');
        queryModelChanged('listings');
      },
      (error) => log.warn({ err: error }, 'clock refresh failed'),
    );
  }, CLOCK_REFRESH_MS);

  // /healthz answers once every relay and consumer has started; the stack waits for it.
  const health = http.createServer((req, res) =>
    sendJson(res, req.url === '/healthz' || req.url === '/readyz' ? 200 : 404, {
      status: 'ok',
      relays: relays.length,
      consumers: consumers.map((c) => c.name),
    }),
  );
  await listen(health, port('workers'));
  log.info({ relays: relays.length, consumers: consumers.map((c) => c.name) }, 'workers started');
  stopOnSignals(log, async () => {
    clearInterval(clock);
    if (announce) clearTimeout(announce);
    await closeServer(health);
    // Finish the jobs in hand, then stop taking new ones.
    await Promise.all(consumers.map((c) => c.close()));
    await Promise.all(relays.map((r) => r.stop()));
    // Each domain's client owns its pool (rawSql shares it), so disconnecting the client closes both.
    await Promise.all([shopsDb, ordersDb, paymentsDb, adsDb, reviewsDb].map((db) => db.$disconnect()));
    workerRedis.disconnect();
    relayRedis.disconnect();
  });
}

// One copy by default, not one per core: copies split every queue, so each applies smaller batches. On a
// 2-core machine shared with the platform one copy carried 263-278 orders/s where two carried 213-242, and
// drained a backlog faster (docs/benchmarks.md). More copies are for cores to spare, or a standby.
if (require.main === module) {
  takePriority(); // before forking: copies inherit it
  if (!forkPerCore(log, processCount('WORKERS_PROCESSES', 1))) {
    main().catch((error) => {
      log.error({ err: error }, 'workers failed to start');
      process.exit(1);
    });
  }
}
