import { Queue } from 'bullmq';
import pg from 'pg';
import { graphql, login } from './support/graphql';
import { orderableShops, placeOrder } from './support/orders';
import { eventually, PG_URL, startTestPlatform, type TestPlatform } from './support/stack';

/*
 * Outages need no person: a consumer whose database refuses connections for
 * longer than its whole retry schedule waits the outage out, its events'
 * attempts untouched, and applies every event once when the database is
 * back, with no dead letter and no manual step. The schedule is shortened
 * (3 attempts, 100 ms then 200 ms), so the outage outlasts it many times.
 * And a process that dies under the stack is started again, as `npm start`
 * does.
 */

const BASE = 14900;
const SCHEDULE_MS = 100 + 200;

let platform: TestPlatform;
let admin: pg.Client;
const stackLog: string[] = [];

beforeAll(async () => {
  platform = await startTestPlatform(
    'outages',
    BASE,
    10,
    {
      BAEDAL_EVENT_ATTEMPTS: '3',
      BAEDAL_EVENT_BACKOFF_MS: '100',
      BAEDAL_OUTAGE_WAIT_MS: '200',
      BAEDAL_OUTAGE_MAX_WAIT_MS: '1000',
    },
    { restartDead: { firstDelayMs: 200, maxDelayMs: 2000 }, log: (line) => stackLog.push(line) },
  );
  admin = new pg.Client({ connectionString: `${PG_URL}/postgres` });
  await admin.connect();
}, 180_000);

afterAll(async () => {
  await admin?.end();
  await platform?.stop();
}, 60_000);

it('waits out its database refusing connections, then applies every event once, with no dead letter', async () => {
  const url = platform.gatewayUrl;
  const customer = await login(url, 'customer1@baedal.dev');
  const [shop] = await orderableShops(platform.databaseUrl('shops'));
  const shops = new URL(platform.databaseUrl('shops')).pathname.slice(1);
  const queue = new Queue('shops', {
    connection: { url: process.env.BAEDAL_REDIS_URL ?? 'redis://127.0.0.1:6379/0' },
    prefix: platform.prefix,
  });

  // The shops database refuses new connections and loses the ones it had: a real Postgres fault, its own database.
  await admin.query(`ALTER DATABASE "${shops}" ALLOW_CONNECTIONS false`);
  await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [shops]);
  const orderIds: string[] = [];
  try {
    // Ordering needs no shops: orders keep being placed, and their order.placed events reach the shops queue.
    for (let i = 0; i < 5; i++) {
      const placed = await placeOrder(url, customer.token, shop, 'id status');
      expect(placed.errors).toBeUndefined();
      orderIds.push((placed.data as { placeOrder: { id: string } }).placeOrder.id);
    }
    // Far longer than the whole retry schedule: without waiting it out, every event would be a dead letter by now.
    await new Promise((resolve) => setTimeout(resolve, 20 * SCHEDULE_MS));
    const during = await queue.getJobCounts('failed', 'completed');
    expect(during.failed).toBe(0);
  } finally {
    await admin.query(`ALTER DATABASE "${shops}" ALLOW_CONNECTIONS true`);
  }

  // No one replays anything: the consumer finds its database again by itself.
  const ordersDb = new pg.Client({ connectionString: platform.databaseUrl('orders') });
  const shopsDb = new pg.Client({ connectionString: platform.databaseUrl('shops') });
  await Promise.all([ordersDb.connect(), shopsDb.connect()]);
  try {
    const events = await ordersDb.query<{ id: string }>(
      `SELECT "id" FROM "OutboxEvent" WHERE "type" = 'order.placed' AND "aggregateId" = ANY($1)`,
      [orderIds],
    );
    expect(events.rows).toHaveLength(orderIds.length);
    const eventIds = events.rows.map((r) => r.id);
    await eventually(
      'the shops consumer to apply every order.placed',
      async () =>
        (
          await shopsDb.query(`SELECT 1 FROM "ProcessedEvent" WHERE "consumer" = 'shops' AND "eventId" = ANY($1)`, [
            eventIds,
          ])
        ).rowCount === eventIds.length,
      30_000,
      200,
    );
    await platform.settle();
    expect((await queue.getJobCounts('failed')).failed).toBe(0);
  } finally {
    await Promise.all([ordersDb.end(), shopsDb.end()]);
    await queue.close();
  }
}, 120_000);

it('starts a subgraph that dies again, and it serves', async () => {
  const reviews = platform.stack.processes.get('reviews')!;
  reviews.kill('SIGKILL');
  await eventually(
    'reviews to be started again and ready',
    async () => {
      const again = platform.stack.processes.get('reviews');
      if (!again || again === reviews) return false;
      return (await fetch(platform.stack.readyUrl('reviews')).catch(() => null))?.ok === true;
    },
    30_000,
    100,
  );
  expect(stackLog).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^reviews exited \(SIGKILL\); starting it again in \d+ ms$/),
      'reviews started again',
    ]),
  );
  // Through the gateway too: a shop's reviews (the reviews subgraph's field) answer, fresh.
  const [shop] = await orderableShops(platform.databaseUrl('shops'));
  const answer = await graphql(
    platform.gatewayUrl,
    'query($id: ID!) { shop(id: $id) { reviews(first: 1) { rating } } }',
    {
      id: shop.id,
    },
  );
  expect(answer.errors).toBeUndefined();
  expect(answer.data.shop.reviews).toEqual(expect.any(Array));
}, 60_000);
