import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Kind, parse, type ObjectTypeDefinitionNode } from 'graphql';
import pg from 'pg';
import { DELIVERY_AREAS, isOpenAt, parseOpeningHours } from '@baedal/contracts';
import type { ServiceName } from '@baedal/platform';
import { createAdsClient } from '@baedal/prisma/ads';
import { createOrdersClient } from '@baedal/prisma/orders';
import { createPaymentsClient } from '@baedal/prisma/payments';
import { createReviewsClient } from '@baedal/prisma/reviews';
import { createShopsClient } from '@baedal/prisma/shops';
import { bearer, codes, gatewayMetrics, graphql, type GraphQLResponse, login } from './support/graphql';
import { FaultProxy } from './support/proxy';
import { eventually, PG_URL, startTestPlatform, type TestPlatform } from './support/stack';

/*
 * Fault isolation at the gateway, with real processes: for shops, ads and
 * reviews, the subgraph stopped, its database unreachable, and the subgraph
 * hanging. Customers keep browsing from the last good copy (marked stale) and
 * keep ordering; owners get SERVICE_UNAVAILABLE and nothing is written; private
 * data is never served to another customer.
 *
 * Long on purpose: its tests share the fixtures set up above them (test/README.md).
 */

const BASE = 14500;
const TIMEOUT_MS = 500;
const ADS_COMMAND_TIMEOUT_MS = 1500;
const PROXIED = ['shops', 'ads', 'orders', 'reviews'] as const;
const subgraphPort = (s: ServiceName) => BASE + 1 + ['shops', 'ads', 'orders', 'payments', 'reviews'].indexOf(s);
const proxyPort = (s: ServiceName) => subgraphPort(s) + 10;
const proxies = new Map<string, FaultProxy>();

let platform: TestPlatform;
let url: string;
let shopsDb: ReturnType<typeof createShopsClient>;
let adsDb: ReturnType<typeof createAdsClient>;
let reviewsDb: ReturnType<typeof createReviewsClient>;
let ordersDb: ReturnType<typeof createOrdersClient>;
let owner: { token: string; userId: string };
let alice: { token: string; userId: string };
let bob: { token: string; userId: string };
let shop: { id: string; area: string; itemId: string; quantity: number };

const HOME = `query($area: DeliveryArea!) { home(area: $area) { categories { category shopCount } advertisedShops { id name adPlacement(area: $area) { product startsAt } } } }`;
const LIST = `query($area: DeliveryArea!) { shops(area: $area, first: 10) { edges { node { id name rating reviewCount adPlacement(area: $area) { product startsAt } activeAds { id } reviews(first: 2) { rating text } } } } }`;
const DETAIL = `query($id: ID!) { shop(id: $id) { id name deliveryFee menu { name items { name price } } rating activeAds { id startsAt } reviews(first: 3) { rating text } } }`;

async function customerReads(): Promise<GraphQLResponse[]> {
  return Promise.all([
    graphql(url, HOME, { area: shop.area }),
    graphql(url, LIST, { area: shop.area }),
    graphql(url, DETAIL, { id: shop.id }),
  ]);
}

const staleNames = (r: GraphQLResponse & { extensions?: any }) =>
  (r.extensions?.stale?.subgraphs ?? []).map((s: any) => s.name);

function expectFresh(responses: GraphQLResponse[]) {
  for (const r of responses) {
    expect(r.errors).toBeUndefined();
    expect(staleNames(r)).toEqual([]);
  }
}

function expectStaleCopy(responses: GraphQLResponse[], warm: GraphQLResponse[], subgraph: string) {
  responses.forEach((r, i) => {
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual(warm[i].data);
  });
  // Every read that needed the subgraph says so, with the age of its data.
  expect(responses.some((r) => staleNames(r).includes(subgraph))).toBe(true);
  for (const r of responses as any[])
    for (const s of r.extensions?.stale?.subgraphs ?? []) expect(s.ageSeconds).toBeGreaterThanOrEqual(0);
}

async function placeOrder(): Promise<GraphQLResponse> {
  return graphql(
    url,
    'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status total } }',
    {
      input: {
        shopId: shop.id,
        items: [{ menuItemId: shop.itemId, quantity: shop.quantity }],
        deliveryAddress: '서울시 중구 1',
        deliveryArea: shop.area,
        idempotencyKey: randomUUID(),
      },
    },
    bearer(alice.token),
  );
}

/** An owner mutation on the failed subgraph, and a count that must not change. */
const ownerMutations: Record<
  'shops' | 'ads' | 'reviews',
  { run: () => Promise<GraphQLResponse>; count: () => Promise<number> }
> = {
  shops: {
    run: () =>
      graphql(
        url,
        'mutation($id: ID!) { updateShop(id: $id, input: { deliveryFee: 777 }) { id } }',
        { id: shop.id },
        bearer(owner.token),
      ),
    count: () => shopsDb.shop.count({ where: { deliveryFee: 777 } }),
  },
  ads: {
    run: () =>
      graphql(
        url,
        'mutation($s: ID!, $a: DeliveryArea!) { startAdPlacement(input: { shopId: $s, product: OPEN_LIST, area: $a, days: 3 }) { id } }',
        { s: shop.id, a: shop.area },
        bearer(owner.token),
      ),
    count: () => adsDb.adCampaign.count({ where: { shopId: shop.id, product: 'OPEN_LIST', status: 'ACTIVE' } }),
  },
  reviews: {
    run: async () => {
      const orderId = randomUUID();
      // While the reviews database is down this cannot be written; the command is refused all the same.
      await reviewsDb.reviewableOrder
        .create({ data: { orderId, customerId: alice.userId, shopId: shop.id, deliveredAt: new Date() } })
        .catch(() => undefined);
      return graphql(
        url,
        'mutation($o: ID!) { writeReview(input: { orderId: $o, rating: 1, text: "별로" }) { id } }',
        { o: orderId },
        bearer(alice.token),
      );
    },
    count: () => reviewsDb.review.count({ where: { shopId: shop.id, rating: 1, text: '별로' } }),
  },
};

async function restore(subgraph: ServiceName): Promise<void> {
  proxies.get(subgraph)!.mode = 'pass';
  await platform.stack.restart(subgraph);
  // The breaker half-opens after its reset time and closes on the first good probe.
  await eventually(
    `${subgraph} to answer fresh again`,
    async () => {
      const responses = await customerReads();
      return responses.every((r) => !r.errors && staleNames(r).length === 0);
    },
    15_000,
    200,
  );
}

beforeAll(async () => {
  const extraEnv: Record<string, string> = {
    SUBGRAPH_TIMEOUT_MS: String(TIMEOUT_MS),
    SUBGRAPH_BREAKER_RESET_MS: '1000',
    SUBGRAPH_BREAKER_VOLUME: '3',
    // A short window forgets the successes of the previous scenario, so a few timeouts open the breaker.
    SUBGRAPH_BREAKER_WINDOW_MS: '3000',
    // The 1 s response cache would answer the first reads after a failure before the fallback is needed.
    BAEDAL_RESPONSE_CACHE_TTL_MS: '0',
    ADS_MUTATION_TIMEOUT_MS: String(ADS_COMMAND_TIMEOUT_MS),
  };
  for (const subgraph of PROXIED) {
    const proxy = new FaultProxy(proxyPort(subgraph), subgraphPort(subgraph));
    await proxy.listen();
    proxies.set(subgraph, proxy);
    extraEnv[`${subgraph.toUpperCase()}_URL`] = `http://127.0.0.1:${proxyPort(subgraph)}/graphql`;
  }
  platform = await startTestPlatform('failures', BASE, 60, extraEnv);
  url = platform.gatewayUrl;
  shopsDb = createShopsClient(platform.databaseUrl('shops'), 2);
  adsDb = createAdsClient(platform.databaseUrl('ads'), 2);
  reviewsDb = createReviewsClient(platform.databaseUrl('reviews'), 2);
  ordersDb = createOrdersClient(platform.databaseUrl('orders'), 2);
  [owner, alice, bob] = await Promise.all([
    login(url, 'owner1@baedal.dev'),
    login(url, 'customer1@baedal.dev'),
    login(url, 'customer2@baedal.dev'),
  ]);
  const shops = await shopsDb.shop.findMany({
    where: { ownerId: owner.userId },
    include: { menuItems: { where: { soldOut: false }, orderBy: { price: 'desc' } } },
  });
  const open = shops.find(
    (s) => isOpenAt(parseOpeningHours(s.openingHours), !s.isOpen, new Date()) && s.menuItems.length,
  )!;
  shop = {
    id: open.id,
    area: open.deliveryAreas[0],
    itemId: open.menuItems[0].id,
    quantity: Math.max(1, Math.ceil(open.minimumOrder / open.menuItems[0].price)),
  };
  // Give the shop an ad and a review, so ads and reviews have something to lose.
  await adsDb.adCampaign.create({
    data: {
      id: randomUUID(),
      shopId: shop.id,
      product: 'ULTRA_CALL',
      area: shop.area,
      startsAt: new Date(Date.now() - 3600_000),
      endsAt: new Date(Date.now() + 7 * 86400_000),
      status: 'ACTIVE',
    },
  });
  await reviewsDb.review.create({
    data: {
      id: randomUUID(),
      shopId: shop.id,
      orderId: randomUUID(),
      customerId: alice.userId,
      rating: 4,
      text: '괜찮아요',
    },
  });
}, 180_000);

afterAll(async () => {
  await Promise.all([shopsDb, adsDb, reviewsDb, ordersDb].map((db) => db?.$disconnect()));
  await platform?.stop();
  for (const proxy of proxies.values()) await proxy.close();
}, 60_000);

describe.each(['shops', 'ads', 'reviews'] as const)('%s failing', (subgraph) => {
  let warm: GraphQLResponse[];

  beforeAll(async () => {
    warm = await customerReads();
    expectFresh(warm);
    expect(warm[2].data.shop.activeAds.length).toBeGreaterThan(0);
    expect(warm[2].data.shop.reviews.length).toBeGreaterThan(0);
  });

  it('stopped: customers browse the last good copy marked stale, and can still order; owner commands fail cleanly', async () => {
    await platform.stack.stop(subgraph);
    proxies.get(subgraph)!.reset();
    try {
      expectStaleCopy(await customerReads(), warm, subgraph);
      const order = await placeOrder();
      expect(order.errors).toBeUndefined();
      expect(order.data.placeOrder.status).toBe('PLACED');

      const mutation = ownerMutations[subgraph];
      const before = await mutation.count();
      const refused = await mutation.run();
      expect(codes(refused)).toEqual(['SERVICE_UNAVAILABLE']);
      expect(refused.errors?.[0].message).toContain(subgraph);
      expect(await mutation.count()).toBe(before);
    } finally {
      await restore(subgraph);
    }
  });

  it('database unreachable: the same, and its readiness check fails', async () => {
    await platform.stack.stop(subgraph);
    platform.stack.start(subgraph, {
      [`${subgraph.toUpperCase()}_DATABASE_URL`]: 'postgres://postgres@127.0.0.1:1/nowhere',
    });
    const base = `http://127.0.0.1:${subgraphPort(subgraph)}`;
    await platform.stack.waitFor(subgraph, `${base}/healthz`);
    try {
      expect((await fetch(`${base}/readyz`)).status).toBe(503);
      expectStaleCopy(await customerReads(), warm, subgraph);
      expect((await placeOrder()).data.placeOrder.status).toBe('PLACED');
      const mutation = ownerMutations[subgraph];
      const before = await mutation.count();
      expect(codes(await mutation.run())).toEqual(['SERVICE_UNAVAILABLE']);
      expect(await mutation.count()).toBe(before);
    } finally {
      await restore(subgraph);
    }
  });

  it('hanging: answers come within the timeout plus a margin, then at once once the breaker opens', async () => {
    const proxy = proxies.get(subgraph)!;
    proxy.mode = 'hang';
    proxy.reset();
    // Let the gateway's keep-alive pool see its sockets close, so the next request opens a new one.
    await new Promise((resolve) => setTimeout(resolve, 100));
    try {
      const timed = async () => {
        const started = Date.now();
        const response = await graphql(url, DETAIL, { id: shop.id });
        return { response, ms: Date.now() - started };
      };
      const first = await timed();
      expect(first.response.data).toEqual(warm[2].data);
      expect(staleNames(first.response)).toContain(subgraph);
      expect(first.ms).toBeLessThan(TIMEOUT_MS + 700);
      expect(first.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
      // Each further timeout raises the failure rate in the breaker's window until it opens.
      const metrics = () => gatewayMetrics(url);
      const open = `baedal_subgraph_breaker_state{subgraph="${subgraph}"} 2`;
      for (let i = 0; i < 12 && !(await metrics()).includes(open); i++) {
        const slow = await timed();
        expect(slow.response.data).toEqual(warm[2].data);
        expect(slow.ms).toBeLessThan(TIMEOUT_MS + 700);
      }
      expect(await metrics()).toContain(open);
      const afterOpen = await timed();
      expect(afterOpen.response.data).toEqual(warm[2].data);
      expect(staleNames(afterOpen.response)).toContain(subgraph);
      expect(afterOpen.ms).toBeLessThan(TIMEOUT_MS / 2);
      expect(await metrics()).toMatch(
        new RegExp(`baedal_fallback_lookups_total\\{subgraph="${subgraph}",result="hit"\\} [1-9]`),
      );
    } finally {
      await restore(subgraph);
    }
  });
});

/*
 * Databases that fail in the ways Postgres fails, made on this suite's own
 * databases: the subgraph is up and answers, with errors that are not domain
 * answers. The gateway counts them as failures by what is allowed, whatever
 * the driver said: customers get the kept copy, owners SERVICE_UNAVAILABLE.
 */
describe.each(['shops', 'ads', 'reviews'] as const)('%s database failing', (subgraph) => {
  let admin: pg.Client;
  let warm: GraphQLResponse[];
  const database = () => new URL(platform.databaseUrl(subgraph)).pathname.slice(1);
  const terminateSessions = (name: string) =>
    admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
  const allowConnections = (name: string, allow: boolean) =>
    admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS ${allow}`);

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: `${PG_URL}/postgres` });
    await admin.connect();
    warm = await customerReads();
    expectFresh(warm);
  });

  afterAll(async () => {
    await admin.end();
  });

  async function recover(): Promise<void> {
    await eventually(
      `${subgraph} to answer fresh again`,
      async () => (await customerReads()).every((r) => !r.errors && staleNames(r).length === 0),
      15_000,
      200,
    );
  }

  async function expectKeptCopyAndNoWrites(): Promise<void> {
    expectStaleCopy(await customerReads(), warm, subgraph);
    const mutation = ownerMutations[subgraph];
    const before = await mutation.count().catch(() => null);
    const refused = await mutation.run();
    expect(codes(refused)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(refused.errors?.[0].message).toContain(subgraph);
    if (before !== null) expect(await mutation.count()).toBe(before);
  }

  it('refusing connections (ALLOW_CONNECTIONS false, sessions terminated): the kept copy, and commands refused', async () => {
    await allowConnections(database(), false);
    await terminateSessions(database());
    try {
      await expectKeptCopyAndNoWrites();
    } finally {
      await allowConnections(database(), true);
    }
    await recover();
  });

  it('sessions terminated mid-query: the kept copy', async () => {
    // Every table locked, so the subgraph's queries wait; then their sessions are terminated while they wait.
    const locker = new pg.Client({ connectionString: platform.databaseUrl(subgraph) });
    await locker.connect();
    try {
      const { rows } = await locker.query<{ name: string }>(
        "SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables WHERE schemaname = 'public'",
      );
      await locker.query('BEGIN');
      await locker.query(`LOCK TABLE ${rows.map((r) => r.name).join(', ')} IN ACCESS EXCLUSIVE MODE`);
      const reads = customerReads();
      await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS / 3));
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> $2 AND state = 'active'",
        [database(), (await locker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid],
      );
      expectStaleCopy(await reads, warm, subgraph);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
    await recover();
  });

  it('renamed away: the kept copy, and commands refused', async () => {
    const name = database();
    const away = `${name}_away`;
    const moveDatabase = async (from: string, to: string) => {
      await allowConnections(from, false);
      await terminateSessions(from);
      await admin.query(`ALTER DATABASE "${from}" RENAME TO "${to}"`);
      await allowConnections(to, true);
    };
    await moveDatabase(name, away);
    try {
      await expectKeptCopyAndNoWrites();
    } finally {
      await moveDatabase(away, name);
    }
    await recover();
  });
});

describe('orders and payments failing', () => {
  let paymentsDb: ReturnType<typeof createPaymentsClient>;
  let admin: pg.Client;
  const PAY = `mutation($o: ID!, $key: String!) { payOrder(orderId: $o, method: CARD, idempotencyKey: $key) { id status } }`;
  const CANCEL = 'mutation($id: ID!) { cancelOrder(id: $id) { id status } }';
  const written = async () => ({
    orders: await ordersDb.order.count(),
    events: await ordersDb.outboxEvent.count(),
    history: await ordersDb.orderStatusChange.count(),
  });

  beforeAll(async () => {
    paymentsDb = createPaymentsClient(platform.databaseUrl('payments'), 2);
    admin = new pg.Client({ connectionString: `${PG_URL}/postgres` });
    await admin.connect();
  });
  afterAll(async () => {
    await paymentsDb.$disconnect();
    await admin.end();
  });

  it('orders stopped: the other reads still work; placeOrder fails with SERVICE_UNAVAILABLE and writes nothing', async () => {
    const before = await written();
    await platform.stack.stop('orders');
    proxies.get('orders')!.reset();
    try {
      expectFresh(await customerReads());
      const refused = await placeOrder();
      expect(codes(refused)).toEqual(['SERVICE_UNAVAILABLE']);
      expect(refused.errors?.[0].message).toContain('orders');
      expect(refused.data?.placeOrder ?? null).toBeNull();
    } finally {
      await restore('orders');
    }
    expect(await written()).toEqual(before);
  });

  it('payments stopped: placeOrder works; payOrder fails with SERVICE_UNAVAILABLE and nothing is charged', async () => {
    const startedAt = new Date();
    await platform.stack.stop('payments');
    try {
      const order = await placeOrder();
      expect(order.errors).toBeUndefined();
      const refused = await graphql(url, PAY, { o: order.data.placeOrder.id, key: randomUUID() }, bearer(alice.token));
      expect(codes(refused)).toEqual(['SERVICE_UNAVAILABLE']);
      expect(refused.errors?.[0].message).toContain('payments');
    } finally {
      await platform.stack.restart('payments');
    }
    await platform.settle();
    // Orders placed straight away in this suite get a DEV_AUTO_APPROVED record from their event; nothing else.
    const records = await paymentsDb.payment.findMany({ where: { createdAt: { gte: startedAt } } });
    expect(records.map((p) => p.method)).toEqual(['DEV_AUTO_APPROVED']);
  });

  it('orders database refusing connections: commands fail clearly, and nothing is half-written', async () => {
    const placed = await placeOrder();
    expect(placed.errors).toBeUndefined();
    await platform.settle();
    const before = await written();
    const name = new URL(platform.databaseUrl('orders')).pathname.slice(1);
    await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
    try {
      for (const refused of [
        await placeOrder(),
        await graphql(url, CANCEL, { id: placed.data.placeOrder.id }, bearer(alice.token)),
      ]) {
        expect(codes(refused)).toEqual(['SERVICE_UNAVAILABLE']);
        expect(refused.errors?.[0].message).toContain('orders');
      }
    } finally {
      await admin.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
    }
    expect(await written()).toEqual(before);
    // Orders takes commands again once its breaker lets a request through (a second): the cancel goes through.
    await eventually(
      'orders to take the cancel',
      async () => {
        await graphql(url, CANCEL, { id: placed.data.placeOrder.id }, bearer(alice.token));
        return (
          (await ordersDb.order.findUniqueOrThrow({ where: { id: placed.data.placeOrder.id } })).status === 'CANCELED'
        );
      },
      15_000,
      200,
    );
    // And the processes that lost their sessions go on: every event still reaches its consumers.
    await platform.settle();
  });
});

describe('orders slow', () => {
  it('a command slower than the read timeout is still answered: mutations get a longer timeout, so a committed order is never reported as failed', async () => {
    const proxy = proxies.get('orders')!;
    proxy.mode = 'slow';
    proxy.delayMs = TIMEOUT_MS * 2;
    proxy.reset();
    // Let the gateway's keep-alive pool see its sockets close, so the next request opens a new one.
    await new Promise((resolve) => setTimeout(resolve, 100));
    try {
      const started = Date.now();
      const order = await placeOrder();
      expect(order.errors).toBeUndefined();
      expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS * 2);
      expect(order.data.placeOrder.status).toBe('PLACED');
      expect(await ordersDb.order.count({ where: { id: order.data.placeOrder.id } })).toBe(1);
    } finally {
      proxy.mode = 'pass';
      proxy.reset();
    }
  });
});

describe('single-subgraph reads', () => {
  const OWN = `query($id: ID!) { shop(id: $id) { id name deliveryFee menu { name items { name price } } rating } }`;
  const count = async (result: string) => {
    const text = await gatewayMetrics(url);
    return Number(
      text.match(
        new RegExp(`baedal_single_subgraph_reads_total\\{subgraph="shops",result="${result}"\\} (\\d+)`),
      )?.[1] ?? 0,
    );
  };

  it('go straight to shops with the answer the query planner gives, and are answered from their kept copy while shops is stopped', async () => {
    const planned = await graphql(url, DETAIL, { id: shop.id });
    expectFresh([planned]);
    const answeredBefore = await count('answered');
    const straight = await graphql(url, OWN, { id: shop.id });
    expectFresh([straight]);
    expect(await count('answered')).toBe(answeredBefore + 1);
    const { activeAds: _ads, reviews: _reviews, ...own } = planned.data.shop;
    expect(straight.data.shop).toEqual(own);

    await platform.stack.stop('shops');
    proxies.get('shops')!.reset();
    try {
      const staleBefore = await count('stale');
      const kept = await graphql(url, OWN, { id: shop.id });
      expect(kept.errors).toBeUndefined();
      expect(kept.data).toEqual(straight.data);
      expect(staleNames(kept)).toEqual(['shops']);
      expect(await count('stale')).toBe(staleBefore + 1);
    } finally {
      await restore('shops');
    }
  });

  it('give up on a hanging shops after the timeout and answer from the kept copy', async () => {
    const straight = await graphql(url, OWN, { id: shop.id });
    expectFresh([straight]);
    const proxy = proxies.get('shops')!;
    proxy.mode = 'hang';
    proxy.reset();
    await new Promise((resolve) => setTimeout(resolve, 100));
    try {
      const staleBefore = await count('stale');
      const started = Date.now();
      const kept = await graphql(url, OWN, { id: shop.id });
      const ms = Date.now() - started;
      expect(kept.data).toEqual(straight.data);
      expect(staleNames(kept)).toEqual(['shops']);
      expect(await count('stale')).toBe(staleBefore + 1);
      expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
      expect(ms).toBeLessThan(TIMEOUT_MS + 700);
    } finally {
      await restore('shops');
    }
  });

  it('take a shop text that reads like an error code as text, not as a failure of shops', async () => {
    const failures = async () => {
      const text = await gatewayMetrics(url);
      return Number(text.match(/baedal_subgraph_requests_total\{subgraph="shops",outcome="error"\} (\d+)/)?.[1] ?? 0);
    };
    const { name, description } = await shopsDb.shopView.findUniqueOrThrow({ where: { shopId: shop.id } });
    // Whole JSON strings, as an error's code and key would appear in the answer's text.
    await shopsDb.shopView.update({
      where: { shopId: shop.id },
      data: { name: 'errors', description: 'SERVICE_UNAVAILABLE' },
    });
    try {
      const before = await failures();
      const answered = await count('answered');
      const read = await graphql(url, 'query($id: ID!) { shop(id: $id) { id name description } }', { id: shop.id });
      expectFresh([read]);
      expect(read.data.shop).toMatchObject({ name: 'errors', description: 'SERVICE_UNAVAILABLE' });
      expect(await count('answered')).toBe(answered + 1);
      expect(await failures()).toBe(before);
    } finally {
      await shopsDb.shopView.update({ where: { shopId: shop.id }, data: { name, description } });
    }
  });
});

describe('private data', () => {
  it('is never served to another customer from the fallback cache', async () => {
    const myOrders = '{ myOrders(first: 5) { id total } me { email } }';
    const placed = await placeOrder();
    expect(placed.errors).toBeUndefined();
    const aliceWarm = await graphql(url, myOrders, {}, bearer(alice.token));
    expect(aliceWarm.data.myOrders.map((o: any) => o.id)).toContain(placed.data.placeOrder.id);
    expect(aliceWarm.data.me.email).toBe('customer1@baedal.dev');

    for (const subgraph of ['orders', 'shops'] as const) await platform.stack.stop(subgraph);
    for (const subgraph of ['orders', 'shops'] as const) proxies.get(subgraph)!.reset();
    try {
      const aliceStale = await graphql(url, myOrders, {}, bearer(alice.token));
      expect(aliceStale.data).toEqual(aliceWarm.data);
      const bobs = await graphql(url, myOrders, {}, bearer(bob.token));
      expect(JSON.stringify(bobs.data)).not.toContain(placed.data.placeOrder.id);
      expect(JSON.stringify(bobs.data)).not.toContain('customer1@baedal.dev');
      expect(codes(bobs)).toEqual(expect.arrayContaining(['SERVICE_UNAVAILABLE']));
      const anonymous = await graphql(url, '{ me { email } }');
      expect(anonymous.data?.me ?? null).toBeNull();
    } finally {
      for (const subgraph of ['orders', 'shops'] as const) {
        proxies.get(subgraph)!.mode = 'pass';
        await platform.stack.restart(subgraph);
      }
    }
  });
});

/*
 * Customer A's private answer, kept while its subgraph worked, is never
 * served to customer B while it fails: for every private root field of the
 * supergraph (a field without @public), including myCoupons while payments
 * is down.
 */
describe('private root fields', () => {
  const privateRootFields = () => {
    const sdl = fs.readFileSync(path.join(__dirname, '..', 'gateway', 'supergraph.graphql'), 'utf8');
    const query = parse(sdl).definitions.find(
      (d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === 'Query',
    )!;
    return query
      .fields!.filter((f) => !f.directives?.some((d) => d.name.value === 'public'))
      .map((f) => f.name.value)
      .sort();
  };

  it('each is kept per caller: another caller never gets it while its subgraph is down', async () => {
    const paymentsDb = createPaymentsClient(platform.databaseUrl('payments'), 2);
    const placed = await placeOrder();
    const orderId = placed.data.placeOrder.id;
    const paymentId = randomUUID();
    await paymentsDb.payment.create({
      // An order of its own: the auto-approved order above may get its payment from the consumers at any time.
      data: {
        id: paymentId,
        orderId: randomUUID(),
        customerId: alice.userId,
        amount: 1000,
        method: 'CARD',
        status: 'APPROVED',
      },
    });
    const campaign = await paymentsDb.couponCampaign.create({
      data: {
        id: randomUUID(),
        name: '첫 주문 할인',
        discountType: 'FIXED',
        amount: 1000,
        stock: 10,
        startsAt: new Date(Date.now() - 3600_000),
        endsAt: new Date(Date.now() + 3600_000),
      },
    });
    await paymentsDb.couponClaim.create({
      data: { id: randomUUID(), campaignId: campaign.id, customerId: alice.userId },
    });
    await paymentsDb.$disconnect();
    // A day of ad revenue for the admin's report: a placement's day settled.
    const entryId = `settle:${randomUUID()}:1`;
    await adsDb.journalEntry.create({
      data: {
        id: entryId,
        shopId: shop.id,
        kind: 'SETTLE',
        postings: {
          create: [
            { account: `held:${shop.id}`, amount: -6000 },
            { account: 'revenue:ULTRA_CALL', amount: 6000 },
          ],
        },
      },
    });
    const admin = await login(url, 'admin@baedal.dev');
    const today = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);

    const scenarios: Record<
      string,
      { subgraph: ServiceName; query: string; variables?: object; a: string; b: string }
    > = {
      me: { subgraph: 'shops', query: '{ me { id email } }', a: alice.token, b: bob.token },
      myShops: { subgraph: 'shops', query: '{ myShops { id name } }', a: owner.token, b: bob.token },
      myAdCampaigns: {
        subgraph: 'ads',
        query: '{ myAdCampaigns(first: 5) { edges { node { id } } } }',
        a: owner.token,
        b: bob.token,
      },
      adWallet: {
        subgraph: 'ads',
        query: 'query($s: ID!) { adWallet(shopId: $s) { balance held } }',
        variables: { s: shop.id },
        a: owner.token,
        b: bob.token,
      },
      adRevenue: {
        subgraph: 'ads',
        query: 'query($d: String!) { adRevenue(from: $d, to: $d) { day product amount } }',
        variables: { d: today },
        a: admin.token,
        b: bob.token,
      },
      myOrders: { subgraph: 'orders', query: '{ myOrders(first: 5) { id total } }', a: alice.token, b: bob.token },
      order: {
        subgraph: 'orders',
        query: 'query($id: ID!) { order(id: $id) { id total } }',
        variables: { id: orderId },
        a: alice.token,
        b: bob.token,
      },
      shopOrders: {
        subgraph: 'orders',
        query: 'query($s: ID!) { shopOrders(shopId: $s, first: 5) { id total } }',
        variables: { s: shop.id },
        a: owner.token,
        b: bob.token,
      },
      payment: {
        subgraph: 'payments',
        query: 'query($id: ID!) { payment(id: $id) { id amount status } }',
        variables: { id: paymentId },
        a: alice.token,
        b: bob.token,
      },
      myCoupons: {
        subgraph: 'payments',
        query: '{ myCoupons { id campaignId status } }',
        a: alice.token,
        b: bob.token,
      },
    };
    // A new private root field fails here until it has its scenario.
    expect(Object.keys(scenarios).sort()).toEqual(privateRootFields());

    for (const [field, scenario] of Object.entries(scenarios)) {
      // Fresh from the subgraph: a breaker opened by an earlier scenario's stop closes after its reset time.
      let asA = await graphql(url, scenario.query, scenario.variables as never, bearer(scenario.a));
      await eventually(
        `${field} to be answered for A`,
        async () => {
          asA = await graphql(url, scenario.query, scenario.variables as never, bearer(scenario.a));
          return !asA.errors && !staleNames(asA).length;
        },
        15_000,
        200,
      );
      expect([field, asA.errors]).toEqual([field, undefined]);
      expect(JSON.stringify(asA.data[field])).not.toMatch(/^(null|\[\])$/);
      await platform.stack.stop(scenario.subgraph);
      proxies.get(scenario.subgraph)?.reset();
      try {
        const asB = await graphql(url, scenario.query, scenario.variables as never, bearer(scenario.b));
        expect([field, JSON.stringify(asB.data ?? null)]).not.toEqual([field, JSON.stringify(asA.data)]);
        expect([field, codes(asB)]).toEqual([field, expect.arrayContaining(['SERVICE_UNAVAILABLE'])]);
        // A still gets their own copy, marked stale.
        const staleA = await graphql(url, scenario.query, scenario.variables as never, bearer(scenario.a));
        expect([field, staleA.data]).toEqual([field, asA.data]);
      } finally {
        await platform.stack.restart(scenario.subgraph);
      }
    }
  }, 120_000);
});

describe('single-subgraph commands', () => {
  const count = async (subgraph: string, result: string) => {
    const text = await gatewayMetrics(url);
    return Number(
      text.match(
        new RegExp(`baedal_single_subgraph_commands_total\\{subgraph="${subgraph}",result="${result}"\\} (\\d+)`),
      )?.[1] ?? 0,
    );
  };

  it('go straight to their subgraph, and its errors come back as the pipeline words them, naming the service', async () => {
    const before = await count('orders', 'answered');
    const placed = await placeOrder();
    expect(placed.errors).toBeUndefined();
    expect(placed.data.placeOrder.status).toBe('PLACED');
    const missing = randomUUID();
    const refused = await graphql(
      url,
      'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }',
      {
        input: {
          shopId: missing,
          items: [{ menuItemId: shop.itemId, quantity: 1 }],
          deliveryAddress: '서울시 중구 1',
          deliveryArea: shop.area,
          idempotencyKey: randomUUID(),
        },
      },
      bearer(alice.token),
    );
    expect(refused.errors).toEqual([
      expect.objectContaining({
        path: ['placeOrder'],
        extensions: expect.objectContaining({ code: 'NOT_FOUND', serviceName: 'orders' }),
      }),
    ]);
    expect(refused.data).toBeNull();
    expect(await count('orders', 'answered')).toBe(before + 2);
  });

  it('bad variables are refused before anything runs, worded by the pipeline', async () => {
    const refused = await graphql(
      url,
      'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }',
      { input: { shopId: shop.id } },
      bearer(alice.token),
    );
    expect(refused.status).toBe(400);
    expect(codes(refused).length).toBeGreaterThan(0);
    expect(new Set(codes(refused))).toEqual(new Set(['BAD_USER_INPUT']));
  });

  it('a command that outlives its timeout is sent once, never again through the pipeline, and answered SERVICE_UNAVAILABLE', async () => {
    const proxy = proxies.get('ads')!;
    proxy.mode = 'slow';
    proxy.delayMs = ADS_COMMAND_TIMEOUT_MS + 1000;
    proxy.reset();
    await new Promise((resolve) => setTimeout(resolve, 100));
    // An area where the shop runs nothing yet, so the placement is accepted.
    const area = DELIVERY_AREAS.find((a) => a !== shop.area)!;
    const campaigns = () => adsDb.adCampaign.count({ where: { shopId: shop.id, area } });
    const [sentBefore, campaignsBefore] = [proxy.posts, await campaigns()];
    try {
      const started = Date.now();
      const answer = await graphql(
        url,
        'mutation($s: ID!, $a: DeliveryArea!) { startAdPlacement(input: { shopId: $s, product: OPEN_LIST, area: $a, days: 3 }) { id } }',
        { s: shop.id, a: area },
        bearer(owner.token),
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(ADS_COMMAND_TIMEOUT_MS - 50);
      expect(codes(answer)).toEqual(['SERVICE_UNAVAILABLE']);
      expect(answer.errors?.[0].message).toContain('ads');
      // The subgraph did run it (its answer came too late): once, not a second time through the pipeline.
      await eventually(
        'the slow placement to commit',
        async () => (await campaigns()) === campaignsBefore + 1,
        5000,
        100,
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await campaigns()).toBe(campaignsBefore + 1);
      expect(proxy.posts - sentBefore).toBe(1);
    } finally {
      proxy.mode = 'pass';
      proxy.reset();
      await adsDb.adCampaign.updateMany({
        where: { shopId: shop.id, area, status: 'ACTIVE' },
        data: { status: 'ENDED' },
      });
    }
  });
});
