import { env } from './support/batchingEnv';
import path from 'node:path';
import type { Identity, RunningSubgraph, ServiceName } from '@baedal/platform';
import { Stack } from '@baedal/stack';
import { asGateway } from './support/graphql';
import { deleteRedisKeys, dropTestDatabases, eventually, isQuiet, PG_URL } from './support/stack';

/*
 * Entities the gateway fetches in a batch (`_entities` with many
 * representations) cost one database query per batch, not one per entity:
 * each subgraph runs here in-process so its Prisma client's queries can be
 * counted, and a batch of 1 and a batch of 20 must cost the same.
 */

const admin: Identity = { userId: 'batching-admin', role: 'ADMIN' };

interface Subject {
  service: ServiceName;
  typename: string;
  selection: string;
  ids: string[];
  running?: RunningSubgraph;
  queries: number;
}

const subjects: Record<string, Subject> = {};
let stack: Stack;

function load(service: ServiceName) {
  // The subgraph reads its database settings when its modules load.
  const dist = path.join(__dirname, '..', 'subgraphs', service, 'dist');
  const { db, sql } = require(path.join(dist, 'db.js'));
  return { server: require(path.join(dist, 'server.js')), db, sql };
}

beforeAll(async () => {
  await dropTestDatabases(env.BAEDAL_DB_PREFIX);
  // The workers build the shops query model and the replicas from the seed's snapshot events.
  stack = new Stack({ env, seedShops: 40, output: path.join(__dirname, '.logs', 'batching') });
  await stack.prepare();
  await stack.restart('workers');
  await eventually(
    'the query model',
    () => isQuiet(env.BAEDAL_DB_PREFIX, (s) => `${PG_URL}/${env.BAEDAL_DB_PREFIX}_${s}`),
    60_000,
    200,
  );

  const { createShopsClient } = await import('@baedal/prisma/shops');
  const { createOrdersClient } = await import('@baedal/prisma/orders');
  const shopsDb = createShopsClient(undefined, 1);
  const ordersDb = createOrdersClient(undefined, 1);
  const shopIds = (await shopsDb.shop.findMany({ take: 20, orderBy: { id: 'asc' } })).map((s) => s.id);
  const orderIds = (await ordersDb.order.findMany({ take: 20, orderBy: { id: 'asc' } })).map((o) => o.id);
  await Promise.all([shopsDb.$disconnect(), ordersDb.$disconnect()]);
  expect([shopIds.length, orderIds.length]).toEqual([20, 20]);

  const define = (key: string, service: ServiceName, typename: string, selection: string, ids: string[]) => {
    subjects[key] = { service, typename, selection, ids, queries: 0 };
  };
  define('shops', 'shops', 'Shop', 'id name owner { name } menu { name items { name price } }', shopIds);
  define('ads', 'ads', 'Shop', 'id activeAds { id } adPlacement(area: GANGNAM) { product }', shopIds);
  define('reviews', 'reviews', 'Shop', 'id rating reviewCount reviews(first: 3) { rating }', shopIds);
  define('orders', 'orders', 'Order', 'id total lines { name } history { status }', orderIds);
  define('payments', 'payments', 'Order', 'id payment { amount }', orderIds);

  const starters: Record<ServiceName, string> = {
    shops: 'startShops',
    ads: 'startAds',
    orders: 'startOrders',
    payments: 'startPayments',
    reviews: 'startReviews',
  };
  for (const subject of Object.values(subjects)) {
    const { server, db, sql } = load(subject.service);
    db.$on('query', () => subject.queries++);
    // Statements straight through the driver (shops reads its query model so) count too.
    if (sql) {
      const query = sql.$queryRawUnsafe.bind(sql);
      sql.$queryRawUnsafe = (...args: unknown[]) => {
        subject.queries++;
        return query(...args);
      };
    }
    subject.running = await server[starters[subject.service]](0);
  }
}, 120_000);

afterAll(async () => {
  for (const subject of Object.values(subjects)) await subject.running?.stop();
  await stack?.stopAll();
  await dropTestDatabases(env.BAEDAL_DB_PREFIX);
  await deleteRedisKeys(env.BAEDAL_REDIS_PREFIX);
}, 60_000);

async function queriesFor(subject: Subject, count: number): Promise<number> {
  const representations = subject.ids.slice(0, count).map((id) => ({ __typename: subject.typename, id }));
  const before = subject.queries;
  const response = await asGateway(
    subject.running!.url,
    subject.service,
    admin,
    `query($r: [_Any!]!) { _entities(representations: $r) { ... on ${subject.typename} { ${subject.selection} } } }`,
    { r: representations },
  );
  expect(response.errors).toBeUndefined();
  expect(response.data._entities).toHaveLength(count);
  expect(response.data._entities.every((e: any) => e && e.id)).toBe(true);
  return subject.queries - before;
}

describe.each([
  ['shops', 3], // shop summaries from the query model, their owners, their menus
  ['ads', 1], // campaigns of every shop
  ['reviews', 2], // rating totals, latest reviews
  ['orders', 3], // orders, lines, history
  ['payments', 1], // payments of every order
])('%s', (key, expected) => {
  it(`resolves a batch of 20 entities with ${expected} queries, the same as a batch of 1`, async () => {
    const single = await queriesFor(subjects[key], 1);
    const batch = await queriesFor(subjects[key], 20);
    expect(batch).toBe(expected);
    expect(single).toBe(expected);
  });
});
