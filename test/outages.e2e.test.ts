import { Queue } from 'bullmq';
import Redis from 'ioredis';
import pg from 'pg';
import { issueToken } from '@baedal/platform';
import { bearer, codes, graphql, login } from './support/graphql';
import { orderableShops, placeOrder } from './support/orders';
import { RedisServer } from './support/redisServer';
import { eventually, PG_URL, startTestPlatform, type TestPlatform } from './support/stack';

/*
 * Outages need no person: a consumer whose database refuses connections for
 * longer than its whole retry schedule waits the outage out, its events'
 * attempts untouched, and applies every event once when the database is
 * back, with no dead letter and no manual step. The schedule is shortened
 * (3 attempts, 100 ms then 200 ms), so the outage outlasts it many times.
 * And a process that dies under the stack is started again, as `npm start`
 * does. The platform runs on a Redis server of the suite's own, with the
 * production persistence (appendfsync always), so Redis itself can be
 * killed and emptied.
 */

const BASE = 14900;
const SCHEDULE_MS = 100 + 200;
const redis = new RedisServer({ port: BASE + 40, appendfsync: 'always' });
// The suite's helpers (settling, cleaning up) look at the same server as the platform.
process.env.BAEDAL_REDIS_URL = redis.url;

let platform: TestPlatform;
let admin: pg.Client;
const stackLog: string[] = [];

beforeAll(async () => {
  await redis.start();
  platform = await startTestPlatform(
    'outages',
    BASE,
    10,
    {
      BAEDAL_REDIS_URL: redis.url,
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
  await redis.stop();
}, 60_000);

it('waits out its database refusing connections, then applies every event once, with no dead letter', async () => {
  const url = platform.gatewayUrl;
  const customer = await login(url, 'customer1@baedal.dev');
  const [shop] = await orderableShops(platform.databaseUrl('shops'));
  const shops = new URL(platform.databaseUrl('shops')).pathname.slice(1);
  const queue = new Queue('shops', {
    connection: { url: redis.url },
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

it('serves reads and commits orders while Redis is unreachable for 30 s, then relays and applies each once', async () => {
  const url = platform.gatewayUrl;
  const customer = await login(url, 'customer1@baedal.dev'); // signing in needs Redis; a token does not
  const [shop] = await orderableShops(platform.databaseUrl('shops'));
  const shopsDb = new pg.Client({ connectionString: platform.databaseUrl('shops') });
  const ordersDb = new pg.Client({ connectionString: platform.databaseUrl('orders') });
  await Promise.all([shopsDb.connect(), ordersDb.connect()]);
  const orderCount = async () =>
    (await shopsDb.query<{ n: number }>('SELECT "orderCount" AS n FROM "ShopView" WHERE "shopId" = $1', [shop.id]))
      .rows[0].n;
  try {
    await platform.settle();
    const countBefore = await orderCount();
    const orderIds: string[] = [];
    await redis.kill();
    try {
      const down = Date.now();
      while (Date.now() - down < 30_000) {
        const read = await graphql(url, 'query($id: ID!) { shop(id: $id) { id name menu { name } } }', {
          id: shop.id,
        });
        expect(read.errors).toBeUndefined();
        expect(read.data.shop.id).toBe(shop.id);
        const placed = await placeOrder(url, customer.token, shop, 'id status');
        expect(placed.errors).toBeUndefined();
        orderIds.push(placed.data.placeOrder.id);
        await new Promise((resolve) => setTimeout(resolve, 3000));
      }
      // Committed with their events, which wait in the outbox for Redis.
      const waiting = await ordersDb.query(
        `SELECT 1 FROM "OutboxEvent" WHERE "aggregateId" = ANY($1) AND "type" = 'order.placed' AND "relayedAt" IS NULL`,
        [orderIds],
      );
      expect(waiting.rowCount).toBe(orderIds.length);
    } finally {
      await redis.start();
    }

    // Nobody does anything: every event is relayed, and the shops consumer counts each order once.
    await eventually(
      'every order to be counted',
      async () => (await orderCount()) >= countBefore + orderIds.length,
      60_000,
      200,
    );
    await platform.settle();
    expect(await orderCount()).toBe(countBefore + orderIds.length);
    const failed = new Queue('shops', { connection: { url: redis.url }, prefix: platform.prefix });
    expect(await failed.getFailedCount()).toBe(0);
    await failed.close();
  } finally {
    await Promise.all([shopsDb.end(), ordersDb.end()]);
  }
}, 150_000);

describe('coupons when Redis is lost', () => {
  const CREATE = `mutation($input: CreateCouponCampaignInput!) { createCouponCampaign(input: $input) { id } }`;
  const CLAIM = 'mutation($c: ID!) { claimCoupon(campaignId: $c) { id status } }';
  const REMAINING = 'query($c: ID!) { couponCampaign(id: $c) { remaining } }';
  const customer = (name: string) => bearer(issueToken({ id: `outage-${name}`, role: 'CUSTOMER' }));
  const claim = (campaignId: string, name: string) =>
    graphql(platform.gatewayUrl, CLAIM, { c: campaignId }, customer(name));
  const remaining = async (campaignId: string) =>
    (await graphql(platform.gatewayUrl, REMAINING, { c: campaignId })).data.couponCampaign.remaining as number;
  const persisted = async (campaignId: string) => {
    const payments = new pg.Client({ connectionString: platform.databaseUrl('payments') });
    await payments.connect();
    try {
      const claims = await payments.query<{ id: string }>('SELECT "id" FROM "CouponClaim" WHERE "campaignId" = $1', [
        campaignId,
      ]);
      return claims.rows.map((r) => r.id);
    } finally {
      await payments.end();
    }
  };
  /** Waits until every claim queued for Postgres has been decided there. */
  const claimsDecided = async () => {
    const queue = new Queue('coupon-claims', { connection: { url: redis.url }, prefix: platform.prefix });
    try {
      await eventually(
        'the queued claims to be decided',
        async () => Object.values(await queue.getJobCounts('waiting', 'active', 'delayed')).every((n) => n === 0),
        30_000,
        100,
      );
    } finally {
      await queue.close();
    }
  };
  const campaign = async (stock: number) => {
    const { token } = await login(platform.gatewayUrl, 'admin@baedal.dev');
    const input = {
      name: '정전 쿠폰',
      discountType: 'FIXED',
      amount: 3000,
      stock,
      startsAt: new Date(Date.now() - 1000).toISOString(),
      endsAt: new Date(Date.now() + 3600_000).toISOString(),
    };
    const created = await graphql(platform.gatewayUrl, CREATE, { input }, bearer(token));
    expect(created.errors).toBeUndefined();
    return created.data.createCouponCampaign.id as string;
  };

  it('keeps a claim answered CLAIMED whose Redis is killed before it is persisted', async () => {
    const id = await campaign(2);
    // The window: claims are answered from Redis, and persisting them waits for the workers.
    await platform.stack.stop('workers');
    try {
      const first = await claim(id, 'kept');
      expect(first.data.claimCoupon.status).toBe('CLAIMED');
      expect(await persisted(id)).toEqual([]);
      await redis.kill();
      await redis.start();
    } finally {
      await platform.stack.restart('workers');
    }
    // appendfsync always: Redis kept the claim and its queued persistence, so the claim stands and reaches Postgres.
    expect(codes(await claim(id, 'kept'))).toEqual(['COUPON_ALREADY_CLAIMED']);
    expect(await remaining(id)).toBe(1);
    await eventually('the claim to be persisted', async () => (await persisted(id)).length === 1, 30_000, 100);
  }, 90_000);

  it('rebuilds a campaign from Postgres when Redis is emptied, before the next claim is decided', async () => {
    const id = await campaign(2);
    expect((await claim(id, 'first')).data.claimCoupon.status).toBe('CLAIMED');
    await eventually('the claim to be persisted', async () => (await persisted(id)).length === 1, 30_000, 100);
    await platform.settle();
    const direct = new Redis(redis.url);
    await direct.flushall();
    direct.disconnect();

    // Not NOT_FOUND, and not a second coupon for the same customer: the claims Postgres holds count.
    expect(codes(await claim(id, 'first'))).toEqual(['COUPON_ALREADY_CLAIMED']);
    expect((await claim(id, 'second')).data.claimCoupon.status).toBe('CLAIMED');
    expect(codes(await claim(id, 'third'))).toEqual(['COUPON_SOLD_OUT']);
    expect(await remaining(id)).toBe(0);
    await eventually('both claims to be persisted', async () => (await persisted(id)).length === 2, 30_000, 100);
  }, 90_000);

  it('never persists more claims than the stock, even when a Redis that lost claims answers more', async () => {
    const id = await campaign(2);
    expect((await claim(id, 'a')).data.claimCoupon.status).toBe('CLAIMED');
    await eventually('the claim to be persisted', async () => (await persisted(id)).length === 1, 30_000, 100);
    // As a replica that missed the last writes would: the claims are gone, the stock is full again.
    const direct = new Redis(redis.url);
    await direct.del(`${platform.prefix}:coupon:${id}:claims`);
    await direct.set(`${platform.prefix}:coupon:${id}:remaining`, 2);
    direct.disconnect();

    const answers = await Promise.all(['b', 'c'].map((name) => claim(id, name)));
    expect(answers.map((a) => a.data?.claimCoupon.status)).toEqual(['CLAIMED', 'CLAIMED']);
    // Postgres holds the stock's worth, and no more: one of the two late claims was refused there.
    await claimsDecided();
    expect(await persisted(id)).toHaveLength(2);
  }, 90_000);
});
