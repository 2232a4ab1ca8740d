import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { issueToken, SERVICES } from '@baedal/platform';
import { createShopsClient } from '@baedal/prisma/shops';
import { bearer, graphql, login } from './support/graphql';
import { hiveGateway } from './support/hiveGateway';
import { orderableShops, placeOrder, type OrderableShop } from './support/orders';
import { eventually, startTestPlatform, type TestPlatform } from './support/stack';

/*
 * The real-time order relay, with a real graphql-ws client against the real
 * processes: the gateway relays subscriptions to orders, which serves them
 * from the live order feed the "realtime" consumer writes.
 */

const BASE = 15300;
let platform: TestPlatform;
let wsUrl: string;
let owner: { token: string; userId: string };
let otherOwner: { token: string; userId: string };
let customer: { token: string; userId: string };
let shop: OrderableShop;
let othersShop: OrderableShop;
const clients: Client[] = [];

beforeAll(async () => {
  // Two gateway processes, so one can be killed under its clients.
  platform = await startTestPlatform('realtime', BASE, 10, {
    BAEDAL_RIDER_DELAY_MS: '300',
    GATEWAY_WORKERS: '2',
    BAEDAL_SUBSCRIPTIONS_PER_CONNECTION: '3',
    BAEDAL_SUBSCRIPTIONS_PER_CALLER: '4',
  });
  wsUrl = platform.gatewayUrl.replace(/^http/, 'ws');
  const url = platform.gatewayUrl;
  [owner, otherOwner, customer] = await Promise.all([
    login(url, 'owner1@baedal.dev'),
    login(url, 'owner2@baedal.dev'),
    login(url, 'customer1@baedal.dev'),
  ]);
  const open = await orderableShops(platform.databaseUrl('shops'));
  shop = open.find((s) => s.ownerId === owner.userId)!;
  othersShop = (await allShops()).find((s) => s.ownerId === otherOwner.userId)!;
  expect(shop).toBeDefined();
}, 180_000);

afterAll(async () => {
  for (const client of clients) void client.dispose();
  await platform?.stop();
}, 60_000);

async function allShops() {
  const db = createShopsClient(platform.databaseUrl('shops'), 1);
  try {
    return await db.shop.findMany({ include: { menuItems: true } });
  } finally {
    await db.$disconnect();
  }
}

/** A graphql-ws client as an app would open it; `closed` gets the code the server closed with. */
function connect(token: string | null, closed?: (code: number) => void): Client {
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: false,
    // A refused connection is what some tests expect; the tests read the close code, not the console.
    onNonLazyError: () => {},
    on: { closed: (event) => closed?.((event as { code: number }).code) },
  });
  clients.push(client);
  return client;
}

interface Feed {
  results: FormattedExecutionResult<Record<string, any>, unknown>[];
  done: Promise<void>;
  stop: () => void;
}

function follow(client: Client, query: string, variables: Record<string, unknown>): Feed {
  const results: Feed['results'] = [];
  let stop = () => {};
  const done = new Promise<void>((resolve) => {
    stop = client.subscribe(
      { query, variables },
      {
        next: (r) => void results.push(r),
        // Errors the server sends for the subscription itself (graphql-ws's "error" message) are kept as results.
        error: (e) => {
          if (Array.isArray(e)) results.push({ errors: e });
          resolve();
        },
        complete: () => resolve(),
      },
    );
  });
  return { results, done, stop };
}

const SHOP_EVENTS = `subscription($shopIds: [ID!], $after: String) {
  shopOrderEvents(shopIds: $shopIds, after: $after) { eventId cursor type version status order { id total shop { name } } }
}`;
const ORDER_UPDATES = `subscription($orderId: ID!, $after: String) {
  orderUpdates(orderId: $orderId, after: $after) { eventId cursor version status estimatedCookingMinutes order { id status } }
}`;

async function order(): Promise<string> {
  const placed = await placeOrder(platform.gatewayUrl, customer.token, shop, 'id status');
  expect(placed.errors).toBeUndefined();
  return placed.data.placeOrder.id;
}

const codesOf = (feed: Feed) => feed.results.flatMap((r) => (r.errors ?? []).map((e) => e.extensions?.code));

it("rings the owner's device within 2 s of a new order, and no other owner's", async () => {
  const mine = follow(connect(owner.token), SHOP_EVENTS, {});
  const others = follow(connect(otherOwner.token), SHOP_EVENTS, {});
  await new Promise((resolve) => setTimeout(resolve, 300)); // both subscribed
  const placedAt = Date.now();
  const orderId = await order();
  await eventually(
    'the owner to hear of the order',
    async () => mine.results.some((r) => r.data?.shopOrderEvents.order.id === orderId),
    2000,
    20,
  );
  const event = mine.results.find((r) => r.data?.shopOrderEvents.order.id === orderId)!.data!.shopOrderEvents;
  expect(event).toMatchObject({ type: 'order.placed', status: 'PLACED', order: { shop: { name: shop.name } } });
  expect(event.cursor).toMatch(/^\d+-\d+$/);
  expect(Date.now() - placedAt).toBeLessThan(5000);
  await platform.settle();
  expect(others.results).toEqual([]);
  mine.stop();
  others.stop();
});

it('shows the customer each step of their order, in order', async () => {
  const orderId = await order();
  await platform.settle(); // its placing is in the feed before the customer follows it
  const steps = follow(connect(customer.token), ORDER_UPDATES, { orderId });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const accepted = await graphql(
    platform.gatewayUrl,
    'mutation($id: ID!) { acceptOrder(id: $id, estimatedCookingMinutes: 15) { status } }',
    { id: orderId },
    bearer(owner.token),
  );
  expect(accepted.errors).toBeUndefined();
  await eventually('delivery', async () => steps.results.length >= 3, 15_000, 50);
  const events = steps.results.map((r) => r.data!.orderUpdates);
  expect(events.map((e) => e.status)).toEqual(['ACCEPTED', 'PICKED_UP', 'DELIVERED']);
  expect(events[0].estimatedCookingMinutes).toBe(15);
  expect(events.map((e) => e.version)).toEqual([...events.map((e) => e.version)].sort((a, b) => a - b));
  expect(new Set(events.map((e) => e.eventId)).size).toBe(3);
  steps.stop();
});

it('gives a client that reconnects with `after` what it missed, once', async () => {
  const first = follow(connect(owner.token), SHOP_EVENTS, { shopIds: [shop.id] });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const seen = await order();
  await eventually('the first order', async () => first.results.length === 1, 5000, 20);
  const cursor = first.results[0].data!.shopOrderEvents.cursor as string;
  first.stop();

  const missed = [await order(), await order()];
  await platform.settle();
  const again = follow(connect(owner.token), SHOP_EVENTS, { shopIds: [shop.id], after: cursor });
  await eventually('the missed orders', async () => again.results.length >= 2, 5000, 20);
  await new Promise((resolve) => setTimeout(resolve, 500)); // nothing more comes
  const ids = again.results.map((r) => r.data!.shopOrderEvents.order.id);
  expect(ids).toEqual(missed);
  expect(ids).not.toContain(seen);
  again.stop();
});

it('closes with 4401 for a bad token, and when the token expires', async () => {
  const codes: number[] = [];
  follow(
    connect('not-a-token', (code) => codes.push(code)),
    SHOP_EVENTS,
    {},
  );
  await eventually('the bad token to be refused', async () => codes.includes(4401), 5000, 20);

  const shortLived = issueToken({ id: owner.userId, role: 'OWNER' }, 2);
  const expiring: number[] = [];
  const feed = follow(
    connect(shortLived, (code) => expiring.push(code)),
    SHOP_EVENTS,
    {},
  );
  await eventually('the expired token to end the connection', async () => expiring.includes(4401), 5000, 50);
  await feed.done;
});

it('refuses bad input with clear codes, and the connection goes on', async () => {
  const client = connect(customer.token);
  const unknown = follow(client, ORDER_UPDATES, { orderId: '00000000-0000-4000-8000-000000000000' });
  const malformed = follow(client, ORDER_UPDATES, { orderId: 'not-an-id' });
  await Promise.all([unknown.done, malformed.done]);
  expect(codesOf(unknown)).toEqual(['NOT_FOUND']);
  expect(codesOf(malformed)).toEqual(['BAD_USER_INPUT']);

  // The gateway's limits hold for subscriptions too: 300 aliases are refused before anything is opened.
  const aliases = Array.from({ length: 300 }, (_, i) => `a${i}: eventId`).join(' ');
  const tooMany = follow(client, `subscription($orderId: ID!) { orderUpdates(orderId: $orderId) { ${aliases} } }`, {
    orderId: '00000000-0000-4000-8000-000000000000',
  });
  await tooMany.done;
  expect(codesOf(tooMany)).toEqual(['QUERY_TOO_COMPLEX']);

  const ownerClient = connect(owner.token);
  const notMine = follow(ownerClient, SHOP_EVENTS, { shopIds: [othersShop.id] });
  const mine = follow(ownerClient, SHOP_EVENTS, { shopIds: [shop.id] });
  await notMine.done;
  expect(codesOf(notMine)).toEqual(['FORBIDDEN']);
  // The same connection's other subscription still works.
  const orderId = await order();
  await eventually(
    'the other subscription to go on',
    async () => mine.results.some((r) => r.data?.shopOrderEvents.order.id === orderId),
    2000,
    20,
  );
  mine.stop();
});

it('holds at most the set number of subscriptions on one connection; the others go on', async () => {
  const orderId = await order();
  const client = connect(customer.token);
  const held = [1, 2, 3].map(() => follow(client, ORDER_UPDATES, { orderId }));
  const fourth = follow(client, ORDER_UPDATES, { orderId });
  await fourth.done;
  expect(codesOf(fourth)).toEqual(['TOO_MANY_REQUESTS']);
  expect(fourth.results[0].errors![0].message).toBe('At most 3 live subscriptions on one connection');

  // One ended frees its place; the others still hear the order move.
  held[0].stop();
  const again = follow(client, ORDER_UPDATES, { orderId });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const accepted = await graphql(
    platform.gatewayUrl,
    'mutation($id: ID!) { acceptOrder(id: $id, estimatedCookingMinutes: 10) { status } }',
    { id: orderId },
    bearer(owner.token),
  );
  expect(accepted.errors).toBeUndefined();
  for (const feed of [held[1], held[2], again])
    await eventually(
      'each open subscription to hear the acceptance',
      async () => feed.results.some((r) => r.data?.orderUpdates.status === 'ACCEPTED'),
      5000,
      20,
    );
  for (const feed of [held[1], held[2], again]) feed.stop();
});

it('holds at most the set number of subscriptions per caller across gateway processes, and frees ended ones', async () => {
  const someone = await login(platform.gatewayUrl, 'customer2@baedal.dev');
  const placed = await placeOrder(platform.gatewayUrl, someone.token, shop);
  expect(placed.errors).toBeUndefined();
  const own = { orderId: placed.data.placeOrder.id as string };
  const anothers = { orderId: await order() };
  // Subscriptions that end by themselves (refused by orders) give their places back.
  for (let i = 0; i < 6; i++) {
    const refused = follow(connect(someone.token), ORDER_UPDATES, anothers);
    await refused.done;
    expect(codesOf(refused)).toEqual(['FORBIDDEN']);
  }
  // One connection each: the two gateway processes take turns accepting them, so each holds about half.
  const held = [1, 2, 3, 4].map(() => follow(connect(someone.token), ORDER_UPDATES, own));
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(held.flatMap(codesOf)).toEqual([]);
  for (let i = 0; i < 2; i++) {
    const fifth = follow(connect(someone.token), ORDER_UPDATES, own);
    await eventually('the fifth to be refused', async () => fifth.results.length > 0, 5000, 20);
    expect(codesOf(fifth)).toEqual(['TOO_MANY_REQUESTS']);
  }
  held[0].stop();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const again = follow(connect(someone.token), ORDER_UPDATES, own);
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(codesOf(again)).toEqual([]);
  for (const feed of [...held, again]) feed.stop();
});

/** The gateway process holding the TCP connection whose client end is `clientPort` (from /proc). */
function gatewayProcessOf(clientPort: number): number {
  const hex = (port: number) => port.toString(16).toUpperCase().padStart(4, '0');
  const row = fs
    .readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .find((cols) => cols[1]?.endsWith(`:${hex(BASE)}`) && cols[2]?.endsWith(`:${hex(clientPort)}`));
  if (!row) throw new Error(`no connection from port ${clientPort}`);
  const inode = row[9];
  const primary = platform.stack.processes.get('gateway')!.pid!;
  const workers = execFileSync('pgrep', ['-P', String(primary)], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map(Number);
  const holder = workers.find((pid) =>
    fs.readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`;
      } catch {
        return false;
      }
    }),
  );
  if (!holder) throw new Error(`no gateway process holds socket ${inode}`);
  return holder;
}

it('loses nothing when its gateway process is killed: the client reconnects to another with `after`', async () => {
  // An app's owner dashboard: it keeps the last cursor, and on losing its connection subscribes again after it.
  const received: string[] = [];
  let last: string | null = null;
  let socket: WebSocket | null = null;
  const sockets = class extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      socket = this; // eslint-disable-line @typescript-eslint/no-this-alias
    }
  };
  let stop = () => {};
  let done = false;
  const again = () => !done && setTimeout(subscribe, 200);
  const subscribe = () => {
    const client = createClient({
      url: wsUrl,
      webSocketImpl: sockets,
      connectionParams: { authorization: `Bearer ${owner.token}` },
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => {},
    });
    clients.push(client);
    stop = client.subscribe(
      { query: SHOP_EVENTS, variables: { shopIds: [shop.id], after: last } },
      {
        next: (r) => {
          const event = r.data?.shopOrderEvents as { cursor: string; order: { id: string } } | undefined;
          if (!event) return;
          received.push(event.order.id);
          last = event.cursor;
        },
        error: () => void again(),
        complete: () => void again(),
      },
    );
  };
  subscribe();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = await order();
  await eventually('the first order', async () => received.includes(before), 5000, 20);

  const port = (socket as unknown as { _socket: { localPort: number } })._socket.localPort;
  process.kill(gatewayProcessOf(port), 'SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, 200)); // the test's own HTTP connections to it close too
  // While the app reconnects, orders keep coming (the other process answers).
  const during = [await order(), await order()];
  await eventually('the orders placed meanwhile', async () => during.every((id) => received.includes(id)), 10_000, 50);
  await new Promise((resolve) => setTimeout(resolve, 500));
  done = true;
  stop();
  expect(received).toEqual([before, ...during]);
});

describe('the checked-in supergraph in Hive Gateway, as the routers serve it', () => {
  /** The `data:` payloads of a server-sent event stream, as they arrive, until `enough` says so. */
  async function readEvents(response: Response, enough: (events: any[]) => boolean, timeoutMs: number) {
    const events: any[] = [];
    const reader = response.body!.getReader();
    const timer = setTimeout(() => void reader.cancel(), timeoutMs);
    let buffered = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffered += Buffer.from(value).toString('utf8');
        const blocks = buffered.split('\n\n');
        buffered = blocks.pop()!;
        for (const block of blocks)
          for (const line of block.split('\n')) if (line.startsWith('data: ')) events.push(JSON.parse(line.slice(6)));
        if (enough(events)) break;
      }
    } finally {
      clearTimeout(timer);
      await reader.cancel().catch(() => {});
    }
    return events;
  }

  it("loads it, answers a query as Baedal's gateway does, and relays orders' subscription", async () => {
    const urls = Object.fromEntries(SERVICES.map((s) => [s, `http://127.0.0.1:${platform.stack.port(s)}/graphql`]));
    const hive = hiveGateway(urls);
    const ask = (body: unknown, headers: Record<string, string> = {}) =>
      hive.fetch('http://hive.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    try {
      const query = '{ shops(area: GANGNAM, first: 3) { edges { node { id name deliveryFee } } } }';
      const [viaHive, viaBaedal] = await Promise.all([
        (await ask({ query })).json(),
        graphql(platform.gatewayUrl, query),
      ]);
      expect(viaBaedal.errors).toBeUndefined();
      expect(viaHive).toEqual({ data: viaBaedal.data });

      // The subscription's event reaches into shops (the order's shop name), planned by Hive.
      const live = await ask(
        {
          query:
            'subscription($shopIds: [ID!]) { shopOrderEvents(shopIds: $shopIds) { type order { id shop { name } } } }',
          variables: { shopIds: [shop.id] },
        },
        { accept: 'text/event-stream', authorization: `Bearer ${owner.token}` },
      );
      expect(live.status).toBe(200);
      let orderId = '';
      const placing = (async () => {
        await new Promise((resolve) => setTimeout(resolve, 500)); // Hive opened it at orders
        orderId = await order();
      })();
      const events = await readEvents(
        live,
        (seen) => seen.some((e) => e.errors || (orderId && e.data?.shopOrderEvents.order.id === orderId)),
        10_000,
      );
      await placing;
      expect(events.find((e) => e.data?.shopOrderEvents.order.id === orderId)).toEqual({
        data: { shopOrderEvents: { type: 'order.placed', order: { id: orderId, shop: { name: shop.name } } } },
      });
    } finally {
      await hive.dispose();
    }
  }, 30_000);
});
