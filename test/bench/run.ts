import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { CATEGORIES, DELIVERY_AREAS, isOpenAt, parseOpeningHours } from '@baedal/contracts';
import { callWithin, issueToken, keepAliveAgent, SERVICES } from '@baedal/platform';
import { createOrdersClient } from '@baedal/prisma/orders';
import { createPaymentsClient } from '@baedal/prisma/payments';
import { createShopsClient } from '@baedal/prisma/shops';
import { Stack, type ProcessName } from '@baedal/stack';
import { eventually, isQuiet, PG_URL, testEnv } from '../support/stack';
import { cpuBetween, cpuSecondsBetween, snapshotCpu } from './cpu';
import { operationKey } from './fixtures';
import { summarize } from './profile';

/*
 * npm run bench: starts the platform on the benchmark data set, and for each
 * scenario measures Baedal, a bare Node server returning the same bytes (a),
 * and a plain @apollo/gateway joining the same subgraphs the naive way (b),
 * in the same run. Writes docs/benchmarks.md. Bounded: every phase has a
 * duration; everything runs on 127.0.0.1.
 *
 * Flags: --shops N (20000), --duration S (10), --warmup S (3), --orders-warmup S (15), --connections N (64),
 * --cost-rate N (50 orders/s for the cost row),
 * --only reads,cold,orders,cost,coupons,degraded (a subset, printed, no report),
 * --profile gateway,shops,... (V8 CPU profiles of those processes, summarized)
 */

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const SHOPS = flag('shops', 20000);
const DURATION = flag('duration', 10);
const WARMUP = flag('warmup', 3);
// Ordering runs code in five processes that V8 is still compiling seconds in: on one machine, 10 s
// measured from a cold start gave 41 orders/s and 30-40 s gave 55. Orders are placed this long first.
const ORDERS_WARMUP = flag('orders-warmup', 15);
const CONNECTIONS = flag('connections', 64);
// The cost row places orders at this fixed rate, well under what the machine carries.
const COST_RATE = flag('cost-rate', 50);
// --only reads,cold,orders,cost,coupons,degraded runs a subset and prints it without writing the report.
const ONLY = args.includes('--only') ? new Set(args[args.indexOf('--only') + 1].split(',')) : null;
const runs = (part: string) => !ONLY || ONLY.has(part);
// --profile gateway,shops: those processes run under V8's CPU profiler; a summary per process is printed at the end.
const PROFILE = args.includes('--profile') ? (args[args.indexOf('--profile') + 1].split(',') as ProcessName[]) : [];
const BASE = 15000;
const REPO = path.resolve(__dirname, '..', '..', '..');

// As deployed: the gateway and the shops subgraph on every core, the workers in one process (their default; the
// test suites pin every one of them to one process).
const CORES = String(os.availableParallelism());
const env = {
  ...testEnv('bench', BASE),
  BAEDAL_DB_PREFIX: `baedal_bench${SHOPS}`,
  BAEDAL_REDIS_PREFIX: `baedal_bench${SHOPS}`,
  ORDERS_AUTO_APPROVE_PAYMENT: 'false',
  BAEDAL_RIDER_DELAY_MS: '0',
  GATEWAY_WORKERS: CORES,
  SHOPS_PROCESSES: CORES,
};
const dbUrl = (service: string) => `${PG_URL}/${env.BAEDAL_DB_PREFIX}_${service}`;
const log = (line: string) => console.log(`[bench] ${line}`);

/** Waits until every outbox of the bench databases is relayed and every queue drained. */
const settled = (what: string, intervalMs = 500, timeoutMs = 10 * 60_000) =>
  eventually(what, () => isQuiet(env.BAEDAL_DB_PREFIX, dbUrl), timeoutMs, intervalMs);

/** Runs `work` on a connection of its own to a service's bench database, closed afterwards. */
async function onDatabase<T>(service: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: dbUrl(service) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

interface Measure {
  scenario: string;
  target: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Answers from the gateway's fallback copy (marked stale): the subgraph timed out or its breaker was open. */
  stale?: number;
  note?: string;
  /** Cores used per process group while measuring. */
  cpu?: string;
}
const results: Measure[] = [];
/** The cost row: ms of CPU per order placed and paid, per process group, at a fixed rate. */
let orderCost: {
  rate: number;
  orders: number;
  failures: number;
  seconds: number;
  perOrder: [string, number][];
} | null = null;

type Body = string;

const Q = {
  home: `query Home($area: DeliveryArea!) { home(area: $area) { categories { category shopCount } advertisedShops { id name deliveryFee rating reviewCount adPlacement(area: $area) { product } } } }`,
  list: `query List($area: DeliveryArea!, $category: Category, $after: String) { shops(area: $area, category: $category, first: 20, after: $after) { edges { cursor node { id name category deliveryFee minimumOrder rating reviewCount adPlacement(area: $area) { product } } } pageInfo { hasNextPage endCursor } } }`,
  detail: `query Detail($id: ID!) { shop(id: $id) { id name description deliveryFee minimumOrder openingHours { day opens closes } rating reviewCount menu { id name items { id name price soldOut optionGroups { id name options { id name price } } } } } }`,
  search: `query Search($q: String!, $area: DeliveryArea) { searchShops(query: $q, area: $area, first: 20) { id name rating reviewCount } }`,
};

const body = (query: string, variables: Record<string, unknown>): Body => JSON.stringify({ query, variables });

// The command rows' load generator posts with the platform's own client (node:http, keep-alive): on one run
// fetch's load generator used 0.22 cores while ordering, a ninth of the machine the platform shares with it.
const agent = keepAliveAgent();
async function post(url: string, payload: Body, headers: Record<string, string> = {}) {
  const answer = await callWithin(url, {
    headers: { 'content-type': 'application/json', ...headers },
    body: payload,
    timeoutMs: 60_000,
    agent,
  });
  return { status: answer.status, text: answer.text };
}

const pct = (list: number[], p: number) => list[Math.min(list.length - 1, Math.floor((p / 100) * list.length))] ?? 0;

/** Zipf(s) sample of n ranks over `count` items. */
function zipf(count: number, n: number, s = 1.07): number[] {
  const weights = Array.from({ length: count }, (_, k) => 1 / Math.pow(k + 1, s));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  weights.reduce((sum, w, i) => (cumulative[i] = sum + w / total), 0);
  let seed = 7;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  return Array.from({ length: n }, () => {
    const r = rnd();
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  });
}

/** Above this many bodies, requests are built as they are sent rather than in advance. */
const PREBUILT_LIMIT = 1000;

/** Runs for `length` seconds, or for `{ amount }` requests; `onBody` sees every answer's body. */
async function cannon(
  url: string,
  bodies: Body[],
  length: number | { amount: number },
  headers: Record<string, string> = {},
  onBody?: (body: string) => void,
): Promise<autocannon.Result> {
  const request = {
    method: 'POST' as const,
    path: '/graphql',
    headers: { 'content-type': 'application/json', ...headers },
    ...(onBody ? { onResponse: (_status: number, body: string) => onBody(body) } : {}),
  };
  // autocannon prebuilds every request once per connection: 20,000 detail bodies × 64 connections
  // saturated the load generator (and timed some connections out). Large sets take the next body
  // from one cursor shared by all connections instead, in the sample's order.
  let next = 0;
  const requests =
    bodies.length > PREBUILT_LIMIT
      ? [{ ...request, setupRequest: (req: autocannon.Request) => ({ ...req, body: bodies[next++ % bodies.length] }) }]
      : bodies.map((b) => ({ ...request, body: b }));
  return autocannon({
    url,
    connections: CONNECTIONS,
    ...(typeof length === 'number' ? { duration: length } : length),
    requests,
  });
}

async function measure(
  scenario: string,
  target: string,
  url: string,
  bodies: Body[],
  note?: string,
  headers: Record<string, string> = {},
  warm = false,
): Promise<Measure> {
  await cannon(url, bodies, WARMUP, headers);
  // A hot row measures warm caches: every gateway process caches on its own, and a request lands on
  // either, so the sample is walked three more times (each body reaches a given process with
  // probability 7/8). A few seconds alone cover only part of a 20,000-draw sample at the cold rate.
  if (warm && bodies.length > PREBUILT_LIMIT) await cannon(url, bodies, { amount: 3 * bodies.length }, headers);
  const before = snapshotCpu();
  const startedAt = Date.now();
  // A 200 can still carry GraphQL errors, or the gateway's stale copy when a subgraph timed out under
  // the load (then the row did not measure the whole pipeline): every answer is looked at.
  let graphqlErrors = 0;
  let stale = 0;
  const inspect = (answer: string) => {
    if (answer.includes('"errors"')) graphqlErrors++;
    else if (answer.includes('"stale"')) stale++;
  };
  const r = await cannon(url, bodies, DURATION, headers, inspect);
  // Over the cannon's whole run: it prepares its requests before its own clock starts.
  const cpu = cpuBetween(before, snapshotCpu(), (Date.now() - startedAt) / 1000);
  const m = {
    scenario,
    target,
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx + r.timeouts + graphqlErrors,
    stale,
    note,
    cpu,
  };
  results.push(m);
  log(
    `${scenario} / ${target}: ${m.rps} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms, errors ${m.errors}, stale ${m.stale}`,
  );
  return m;
}

function forkReady(file: string, extra: Record<string, string>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    // As the platform's own processes run (the stack sets NODE_ENV=production for them).
    const child = fork(path.join(__dirname, file), [], {
      env: { ...process.env, ...env, NODE_ENV: 'production', ...extra },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`${file} exited ${code}`)));
  });
}

async function main() {
  const started = new Date();
  const stack = new Stack({ env, seedShops: SHOPS, output: path.join(REPO, 'test', '.logs', 'bench'), log });
  log(`starting the platform with ${SHOPS} shops (seeding and projecting a fresh data set takes minutes)`);
  const leftover = await fetch(stack.readyUrl('gateway')).then(
    () => true,
    () => false,
  );
  if (leftover)
    throw new Error(
      `something already answers on ${stack.readyUrl('gateway')}: a previous bench still running? Stop it first`,
    );
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void stack.stopAll().finally(() => process.exit(130)));
  await stack.up().catch(async (error) => {
    await stack.stopAll();
    throw error;
  });
  const projectionStarted = Date.now();
  await settled('the query model to be built', 1000, 30 * 60_000);
  log(`query model ready (${Math.round((Date.now() - projectionStarted) / 1000)} s waiting)`);
  // Postgres on this machine runs without autovacuum, so nothing else would ever gather the planner's
  // statistics for the seeded data (stale ones had payOrder scanning 86,000 index entries for one
  // order's payments) or clear what earlier runs left dead (each run's relayed outbox rows made the
  // relay's look for unrelayed ones read 234 index pages instead of 3, docs/benchmarks.md): vacuum
  // and analyze each database once, as autovacuum would have, so every run starts alike.
  const vacuumStarted = Date.now();
  for (const service of SERVICES) await onDatabase(service, (client) => client.query('VACUUM (ANALYZE)'));
  log(`databases vacuumed and analyzed (${((Date.now() - vacuumStarted) / 1000).toFixed(1)} s)`);
  const gateway = stack.gatewayUrl;
  const profiles = path.join(REPO, 'test', '.logs', 'bench', 'profiles');
  const profiled = (name: ProcessName): string[] =>
    PROFILE.includes(name) ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profiles, name)}`] : [];
  const shopsDb = createShopsClient(dbUrl('shops'), 2);
  const ordersDb = createOrdersClient(dbUrl('orders'), 2);
  const paymentsDb = createPaymentsClient(dbUrl('payments'), 2);
  const children: ChildProcess[] = [];
  try {
    for (const name of PROFILE) {
      fs.rmSync(path.join(profiles, name), { recursive: true, force: true });
      await stack.restart(name, {}, profiled(name));
    }
    // ---- request sets ----
    const homeBodies = DELIVERY_AREAS.map((area) => body(Q.home, { area }));
    const listBodies: Body[] = [];
    for (const area of DELIVERY_AREAS) {
      for (const category of CATEGORIES) {
        let after: string | null = null;
        for (let page = 0; page < 3; page++) {
          const b = body(Q.list, { area, category, after });
          listBodies.push(b);
          const answer = JSON.parse((await post(gateway, b)).text);
          after = answer.data?.shops?.pageInfo?.endCursor ?? null;
          if (!answer.data?.shops?.pageInfo?.hasNextPage) break;
        }
      }
    }
    const shopIds = (
      await shopsDb.shopView.findMany({ select: { shopId: true }, orderBy: { orderCount: 'desc' } })
    ).map((s) => s.shopId);
    // Popularity is skewed: a few shops get most detail views.
    const shuffled = [...shopIds].sort((a, b) => (a < b ? -1 : 1));
    const detailBodies = zipf(shuffled.length, 20000).map((rank) => body(Q.detail, { id: shuffled[rank] }));
    const words = [
      '치킨',
      '피자',
      '떡볶이',
      '김밥',
      '짜장면',
      '초밥',
      '족발',
      '버거',
      '커피',
      '곱창',
      '양념',
      '불고기',
    ];
    const searchBodies = words.flatMap((q) => [
      body(Q.search, { q, area: null }),
      ...DELIVERY_AREAS.map((area) => body(Q.search, { q, area })),
    ]);
    const sets: [string, Body[]][] = [
      ['home', homeBodies],
      ['shop list', listBodies],
      ['shop detail', detailBodies],
      ['search', searchBodies],
    ];

    const healthy: Record<string, Measure> = {};
    // A signed-in caller bypasses the response cache.
    const someone = await shopsDb.account.findFirstOrThrow({ where: { role: 'CUSTOMER' } });
    const bypass = { authorization: `Bearer ${issueToken({ id: someone.id, role: 'CUSTOMER' })}` };
    const cold = !!ONLY?.has('cold') && !ONLY.has('reads');

    // ---- commands: what the order and coupon rows send ----
    const customers = await shopsDb.account.findMany({ where: { role: 'CUSTOMER' }, take: 200 });
    const tokens = customers.map((c) => ({ authorization: `Bearer ${issueToken({ id: c.id, role: 'CUSTOMER' })}` }));
    const orderable = (
      await shopsDb.shop.findMany({
        where: { isOpen: true },
        take: 400,
        include: { menuItems: { where: { soldOut: false }, orderBy: { price: 'desc' }, take: 1 } },
      })
    )
      .filter((s) => s.menuItems.length && isOpenAt(parseOpeningHours(s.openingHours), false, new Date()))
      .slice(0, 100);
    const PLACE = 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id paymentToken } }';
    const PAY =
      'mutation($o: ID!, $k: String!, $t: String) { payOrder(orderId: $o, method: CARD, idempotencyKey: $k, paymentToken: $t) { status } }';
    const CLAIM = 'mutation($c: ID!) { claimCoupon(campaignId: $c) { id } }';
    const ORDERING = 32;
    const admin = await shopsDb.account.findFirstOrThrow({ where: { role: 'ADMIN' } });
    const createCampaign = async (name: string, stock: number): Promise<string> => {
      const input = {
        name,
        discountType: 'FIXED',
        amount: 7000,
        stock,
        startsAt: new Date(Date.now() - 1000).toISOString(),
        endsAt: new Date(Date.now() + 3600_000).toISOString(),
      };
      const created = JSON.parse(
        (
          await post(
            gateway,
            body('mutation($i: CreateCouponCampaignInput!) { createCouponCampaign(input: $i) { id } }', { i: input }),
            { authorization: `Bearer ${issueToken({ id: admin.id, role: 'ADMIN' })}` },
          )
        ).text,
      );
      return created.data.createCouponCampaign.id;
    };

    /** One order placed and paid through `url`, as a customer does: both answers' bodies (`paid` null if placing failed), the error code unless approved, and the timings. */
    const placeAndPayOne = async (url: string, i: number) => {
      const shop = orderable[i % orderable.length];
      const item = shop.menuItems[0];
      const auth = tokens[i % tokens.length];
      const input = {
        shopId: shop.id,
        items: [{ menuItemId: item.id, quantity: Math.max(1, Math.ceil(shop.minimumOrder / item.price)) }],
        deliveryAddress: '서울시 1',
        deliveryArea: shop.deliveryAreas[0],
        idempotencyKey: randomUUID(),
      };
      const t0 = Date.now();
      const placed = (await post(url, body(PLACE, { input }), auth)).text;
      const t1 = Date.now();
      const order = JSON.parse(placed);
      const paid = order.data
        ? (
            await post(
              url,
              body(PAY, { o: order.data.placeOrder.id, k: randomUUID(), t: order.data.placeOrder.paymentToken }),
              auth,
            )
          ).text
        : null;
      const payment = paid ? JSON.parse(paid) : null;
      const failure =
        payment?.data?.payOrder?.status === 'APPROVED'
          ? null
          : ((order.errors ?? payment?.errors)?.[0]?.extensions?.code ?? 'no answer');
      return { placed, paid, failure, placing: t1 - t0, total: Date.now() - t0 };
    };

    /** Orders placed and paid through `url` by ORDERING customers at a time for `seconds`. */
    const placeAndPay = async (seconds: number, label: string, url: string = gateway) => {
      const latencies: number[] = [];
      const placing: number[] = [];
      const failures = new Map<string, number>();
      let errors = 0;
      const started = Date.now();
      const cpuBefore = snapshotCpu();
      await Promise.all(
        Array.from({ length: ORDERING }, async (_, worker) => {
          for (let i = worker; Date.now() - started < seconds * 1000; i += ORDERING) {
            const one = await placeAndPayOne(url, i);
            if (!one.failure) {
              latencies.push(one.total);
              placing.push(one.placing);
            } else {
              errors++;
              failures.set(one.failure, (failures.get(one.failure) ?? 0) + 1);
            }
          }
        }),
      );
      const elapsed = (Date.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      placing.sort((a, b) => a - b);
      log(
        `${label}: ${latencies.length} orders; placeOrder alone: p50 ${pct(placing, 50)} ms, p99 ${pct(placing, 99)} ms; failures ${JSON.stringify(Object.fromEntries(failures))}`,
      );
      return {
        rps: Math.round(latencies.length / elapsed),
        count: latencies.length,
        p50: pct(latencies, 50),
        p99: pct(latencies, 99),
        errors,
        cpu: cpuBetween(cpuBefore, snapshotCpu(), elapsed),
      };
    };

    /** 20,000 claims of `campaignId` through `url` by 10,000 customers (each tries twice, shuffled), CONNECTIONS at a time, for at most `seconds`. */
    const burst = async (url: string, campaignId: string, seconds = 120) => {
      const claimTokens = Array.from(
        { length: 10000 },
        (_, n) => `Bearer ${issueToken({ id: `bench-${campaignId}-${n}`, role: 'CUSTOMER' })}`,
      );
      const attempts = [...claimTokens, ...claimTokens].sort(() => Math.random() - 0.5);
      const claim = body(CLAIM, { c: campaignId });
      const latencies: number[] = [];
      let next = 0;
      let errors = 0;
      const started = Date.now();
      const cpuBefore = snapshotCpu();
      await Promise.all(
        Array.from({ length: CONNECTIONS }, async () => {
          while (next < attempts.length && Date.now() - started < seconds * 1000) {
            const authorization = attempts[next++];
            const t0 = Date.now();
            const answer = await post(url, claim, { authorization });
            latencies.push(Date.now() - t0);
            if (answer.status !== 200 || !/claimCoupon|COUPON_SOLD_OUT|COUPON_ALREADY_CLAIMED/.test(answer.text))
              errors++;
          }
        }),
      );
      const elapsed = (Date.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      return {
        rps: Math.round(latencies.length / elapsed),
        count: latencies.length,
        p50: pct(latencies, 50),
        p99: pct(latencies, 99),
        errors,
        cpu: cpuBetween(cpuBefore, snapshotCpu(), elapsed),
      };
    };

    // ---- references: (a) answers with the bytes Baedal answered, (b) a plain gateway over the same subgraphs ----
    const fixtures: Record<string, string> = {};
    if (runs('reads') || cold || runs('degraded')) {
      // Fresh answers only: a cold search under concurrency can outlast the gateway's subgraph timeout,
      // and the fallback copy it then answers with is marked stale.
      const fresh = async (b: Body) => {
        let text = '';
        for (let attempt = 0; attempt < 5; attempt++) {
          text = (await post(gateway, b)).text;
          if (!text.includes('"stale"')) break;
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
        return text;
      };
      for (const [, bodies] of sets) {
        const distinct = [...new Set(bodies)];
        for (let i = 0; i < distinct.length; i += 8) {
          await Promise.all(distinct.slice(i, i + 8).map(async (b) => (fixtures[b] = await fresh(b))));
        }
      }
    }
    if (runs('orders')) {
      const one = await placeAndPayOne(gateway, 0);
      if (one.failure) throw new Error(`cannot place and pay an order for the references: ${one.failure}`);
      fixtures[operationKey(PLACE)] = one.placed;
      fixtures[operationKey(PAY)] = one.paid!;
    }
    if (runs('coupons')) {
      const sample = await createCampaign('bench reference answer', 1);
      fixtures[operationKey(CLAIM)] = (await post(gateway, body(CLAIM, { c: sample }), tokens[0])).text;
    }
    const fixturesPath = path.join(REPO, 'test', '.logs', 'bench', 'fixtures.json');
    fs.writeFileSync(fixturesPath, JSON.stringify(fixtures));
    children.push(await forkReady('bareServer.js', { BENCH_FIXTURES: fixturesPath, BENCH_PORT: String(BASE + 30) }));
    const subgraphUrls = Object.fromEntries(
      SERVICES.map((s) => [`${s.toUpperCase()}_URL`, `http://127.0.0.1:${stack.port(s)}/graphql`]),
    );
    children.push(await forkReady('naiveGateway.js', { ...subgraphUrls, BENCH_PORT: String(BASE + 31) }));
    const bare = `http://127.0.0.1:${BASE + 30}/graphql`;
    const naive = `http://127.0.0.1:${BASE + 31}/graphql`;
    const references: [string, string][] = [
      ['bare server (a)', bare],
      ['plain @apollo/gateway (b)', naive],
    ];

    if (runs('reads') || cold) {
      // ---- reads ---- (--only cold: reference (b) and the cache-bypassed rows alone)
      for (const [scenario, bodies] of sets) {
        if (!cold) await measure(scenario, 'bare server (a)', bare, bodies);
        await measure(scenario, 'plain @apollo/gateway (b)', naive, bodies);
        if (!cold) healthy[scenario] = await measure(scenario, 'Baedal', gateway, bodies, undefined, {}, true);
        // A signed-in caller bypasses the response cache: the whole pipeline, cold.
        await measure(
          scenario,
          'Baedal, response cache bypassed',
          gateway,
          bodies,
          'signed-in customer (no response cache): gateway, shops subgraph, Postgres',
          bypass,
        );
      }
    }

    if (runs('orders')) {
      // ---- orders: placeOrder + payOrder as many customers; the references first, each after a warm-up as the read rows ----
      const pairNote = `orders/s, ${ORDERING} customers at a time; latency of the pair`;
      for (const [target, url] of references) {
        await placeAndPay(WARMUP, `${target} warm-up`, url);
        const m = await placeAndPay(DURATION, target, url);
        results.push({
          scenario: 'placeOrder + payOrder',
          target,
          rps: m.rps,
          p50: m.p50,
          p99: m.p99,
          errors: m.errors,
          note: pairNote,
          cpu: m.cpu,
        });
      }

      /** Every order and payment event committed since `from`, and each consumer's application of it, with the lag between. */
      const pipelineSince = async (from: Date) => {
        const committed = new Map<string, number>();
        for (const service of ['orders', 'payments'] as const) {
          const { rows } = await onDatabase(service, (client) =>
            client.query(
              `SELECT "id", "occurredAt" FROM "OutboxEvent" WHERE "occurredAt" >= $1 AND ("type" LIKE 'order.%' OR "type" LIKE 'payment.%')`,
              [from],
            ),
          );
          for (const row of rows) committed.set(row.id, row.occurredAt.getTime());
        }
        const applied: { at: number; lag: number }[] = [];
        for (const service of SERVICES) {
          const { rows } = await onDatabase(service, (client) =>
            client.query('SELECT "eventId", "processedAt" FROM "ProcessedEvent" WHERE "processedAt" >= $1', [from]),
          );
          for (const row of rows) {
            const at = committed.get(row.eventId);
            if (at !== undefined) applied.push({ at: row.processedAt.getTime(), lag: row.processedAt.getTime() - at });
          }
        }
        const lags = applied.map((a) => a.lag).sort((a, b) => a - b);
        const times = applied.map((a) => a.at).sort((a, b) => a - b);
        const firstCommittedAt = [...committed.values()].reduce((a, b) => Math.min(a, b), Infinity);
        return {
          events: committed.size,
          applied: applied.length,
          firstAppliedAt: times[0],
          lastAppliedAt: times[times.length - 1],
          firstCommittedAt,
          p50: pct(lags, 50),
          p99: pct(lags, 99),
        };
      };

      await placeAndPay(ORDERS_WARMUP, 'warm-up');
      await settled('warm-up events to settle');
      const liveFrom = new Date();
      const live = await placeAndPay(DURATION, 'measured');
      results.push({
        scenario: 'placeOrder + payOrder',
        target: 'Baedal',
        rps: live.rps,
        p50: live.p50,
        p99: live.p99,
        errors: live.errors,
        note: pairNote,
        cpu: live.cpu,
      });
      log(`orders: ${live.rps} orders/s, errors ${live.errors}`);

      // ---- event pipeline, live: lag from commit to each consumer while those orders were placed ----
      await settled('events to settle');
      const flowing = await pipelineSince(liveFrom);
      const flowingRate = Math.round(flowing.applied / ((flowing.lastAppliedAt - flowing.firstCommittedAt) / 1000));
      results.push({
        scenario: 'event pipeline (live)',
        target: 'Baedal',
        rps: flowingRate,
        p50: flowing.p50,
        p99: flowing.p99,
        errors: 0,
        note: `events/s applied while ordering (${flowing.applied} applications of ${flowing.events} order and payment events, every consumer); latency = lag from commit to consumer`,
      });
      log(`pipeline live: ${flowing.applied} applications, p99 lag ${flowing.p99} ms`);

      // ---- event pipeline, capacity: a backlog built with the workers stopped, then drained ----
      await stack.stop('workers');
      const backlogFrom = new Date();
      const backlog = await placeAndPay(DURATION, 'backlog (workers stopped)');
      const drainStarted = Date.now();
      const drainCpu = snapshotCpu();
      stack.start('workers', {}, profiled('workers'));
      await settled('the backlog to drain', 200);
      const drained = await pipelineSince(backlogFrom);
      // From the first application, so the workers' own start-up is not counted as pipeline time.
      const drainSeconds = (drained.lastAppliedAt - drained.firstAppliedAt) / 1000;
      results.push({
        scenario: 'event pipeline (drain)',
        target: 'Baedal',
        rps: Math.round(drained.applied / drainSeconds),
        p50: 0,
        p99: 0,
        errors: 0,
        note: `events/s applied from a backlog: ${backlog.count} orders placed and paid with the workers stopped (${drained.events} events, ${drained.applied} applications), then the workers started; no latency (they waited by design)`,
        cpu: cpuBetween(drainCpu, snapshotCpu(), (Date.now() - drainStarted) / 1000),
      });
      log(`pipeline drain: ${drained.applied} applications in ${drainSeconds.toFixed(1)} s`);
    }

    if (runs('cost')) {
      // ---- the cost of an order: the CPU every process spends per order placed and paid, at a fixed rate the
      // machine carries with cores to spare, counted until every consumer has applied its events. At saturation
      // (the orders row) processes also spend CPU on contending with each other, and throughput moves 10-15%
      // from run to run; at a fixed rate the cost per order is what a change to the order path changes. ----
      /** Orders started every 1/COST_RATE s for `seconds` (open loop: a slow answer does not slow the next order). */
      const atRate = async (seconds: number, from: number) => {
        const started = Date.now();
        const outcomes: Promise<string | null>[] = [];
        for (let i = 0; i < seconds * COST_RATE; i++) {
          const wait = started + (i * 1000) / COST_RATE - Date.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          outcomes.push(placeAndPayOne(gateway, from + i).then((one) => one.failure));
        }
        const failures = (await Promise.all(outcomes)).filter(Boolean).length;
        return { orders: outcomes.length - failures, failures };
      };
      await atRate(ORDERS_WARMUP, 0);
      await settled('events to settle');
      // What the platform spends with no orders (the workers' clock refresh every 30 s, polls, timers), per
      // second, over one refresh period: subtracted, so the figures are what orders cost.
      const idleFrom = snapshotCpu();
      const idleStarted = Date.now();
      await new Promise((resolve) => setTimeout(resolve, 30_000));
      const idle = cpuSecondsBetween(idleFrom, snapshotCpu());
      const idleSeconds = (Date.now() - idleStarted) / 1000;
      const from = snapshotCpu();
      const started = Date.now();
      const m = await atRate(DURATION, ORDERS_WARMUP * COST_RATE);
      await settled('events to settle');
      const seconds = (Date.now() - started) / 1000;
      const perOrder = [...cpuSecondsBetween(from, snapshotCpu())]
        .map(
          ([group, used]) =>
            [group, (1000 * (used - ((idle.get(group) ?? 0) * seconds) / idleSeconds)) / m.orders] as [string, number],
        )
        // The references' processes stay up for the whole bench, but are no part of an order's cost.
        .filter(([group, ms]) => ms >= 0.05 && group !== 'bare server (a)' && group !== 'plain gateway (b)')
        .sort((a, b) => b[1] - a[1]);
      orderCost = { rate: COST_RATE, orders: m.orders, failures: m.failures, seconds, perOrder };
      log(
        `cost of an order at ${COST_RATE}/s: ${m.orders} orders (${m.failures} failed), settled in ${seconds.toFixed(1)} s; ms of CPU per order: ${perOrder.map(([g, ms]) => `${g} ${ms.toFixed(2)}`).join(', ')}; total ${perOrder.reduce((t, [, ms]) => t + ms, 0).toFixed(2)}`,
      );
    }

    if (runs('coupons')) {
      // ---- the coupon burst: each target claims a campaign of its own (stock 1,000), after a warm-up burst on
      // another campaign for the warm-up's seconds; (a) answers one recorded claim ----
      const campaigns: string[] = [];
      for (const [target, url] of [...references, ['Baedal', gateway]]) {
        // (a) answers by the operation's text, so it needs no campaign.
        const campaign = (name: string) =>
          url === bare ? Promise.resolve(name) : createCampaign(`bench ${target} ${name}`, 1000);
        await burst(url, await campaign('warm-up'), WARMUP);
        const campaignId = await campaign('measured');
        if (url !== bare) campaigns.push(campaignId);
        const m = await burst(url, campaignId);
        results.push({
          scenario: 'claimCoupon burst',
          target,
          rps: m.rps,
          p50: m.p50,
          p99: m.p99,
          errors: m.errors,
          note: `${m.count.toLocaleString('en-US')} claims by 10,000 customers, stock 1,000, ${CONNECTIONS} at a time`,
          cpu: m.cpu,
        });
        log(`burst / ${target}: ${m.rps} req/s, ${m.count} claims, errors ${m.errors}`);
      }
      for (const campaignId of campaigns) {
        await eventually(
          'claims persisted',
          async () => (await paymentsDb.couponClaim.count({ where: { campaignId } })) === 1000,
          60_000,
          500,
        );
      }
      log(`burst: exactly 1000 claims persisted for each campaign claimed through a gateway`);
    }

    if (runs('degraded')) {
      // ---- degraded: shops stopped; (a) answers as before, (b) has no copy to fall back on ----
      await stack.stop('shops');
      for (const [scenario, bodies] of sets.filter(([s]) => s === 'shop list' || s === 'shop detail')) {
        for (const [target, url] of references) await measure(`${scenario} (shops down)`, target, url, bodies);
        const m = await measure(`${scenario} (shops down)`, 'Baedal', gateway, bodies);
        if (healthy[scenario]) m.note = `${Math.round((100 * m.rps) / healthy[scenario].rps)}% of healthy`;
      }
      await stack.restart('shops', {}, profiled('shops'));
    }
  } finally {
    for (const child of children) child.kill();
    agent.destroy();
    await Promise.all([shopsDb.$disconnect(), ordersDb.$disconnect(), paymentsDb.$disconnect()]);
    await stack.stopAll();
  }
  for (const name of PROFILE) {
    const dir = path.join(profiles, name);
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => path.join(dir, f)) : [];
    log(`profile of ${name}:\n${files.length ? summarize(files) : 'no profile written'}`);
  }
  if (ONLY)
    for (const r of results)
      log(`${r.scenario} / ${r.target}: ${r.rps}/s p50 ${r.p50} p99 ${r.p99} errors ${r.errors}; cpu ${r.cpu ?? '-'}`);
  else writeReport(started);
}

function writeReport(started: Date) {
  const ref = (scenario: string, target: string) => results.find((r) => r.scenario === scenario && r.target === target);
  const rows = results.map((r) => {
    const a = ref(r.scenario, 'bare server (a)');
    const b = ref(r.scenario, 'plain @apollo/gateway (b)');
    const ratio = (x?: Measure) => (x && r.target !== x.target ? `${(r.rps / x.rps).toFixed(2)}x` : '');
    return `| ${r.scenario} | ${r.target} | ${r.rps.toLocaleString('en-US')} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.stale ?? ''} | ${ratio(a)} | ${ratio(b)} | ${r.note ?? ''} |`;
  });
  const report = `# Benchmarks

Produced by \`npm run bench -- --shops ${SHOPS} --duration ${DURATION} --warmup ${WARMUP} --orders-warmup ${ORDERS_WARMUP} --connections ${CONNECTIONS}\` on ${started.toISOString().slice(0, 10)}.

- Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}
- Processes: the gateway and the shops subgraph ${CORES} each (node:cluster), one workers process, one per other subgraph, two provider simulators, Postgres and Redis, all on this machine.
- Load generator, on the same machine: autocannon with ${CONNECTIONS} connections for the reads; for the commands, where a request needs the previous answer, loops of requests through the platform's \`callWithin\` (node:http, keep-alive; orders: 32 customers at a time; coupons: ${CONNECTIONS}). ${WARMUP} s warm-up, then ${DURATION} s measured per row (Baedal's orders: ${ORDERS_WARMUP} s of ordering first; the coupon burst is 20,000 claims, after the warm-up's seconds of claims on another campaign).
- Data: ${SHOPS.toLocaleString('en-US')} seeded shops. Shop detail requests spread over every shop with Zipf popularity; the list covers the 5 areas × 10 categories × first 3 pages.
- (a) is a bare Node HTTP server answering the same requests with the bytes Baedal answered (a command's answer is one Baedal gave to the same operation); (b) is a plain \`@apollo/gateway\` with default settings and no caches over the same subgraphs, joining shop, rating and ad placement across subgraphs per request, and sending commands through its query planner with the caller's identity. With shops stopped, (b) has no copy to answer from. The event pipeline rows count events applied by the workers, which neither reference has, so they have no ratios.

Latencies are in milliseconds. Ratios compare Baedal's requests/s with (a) and (b). Every answer is
inspected: \`errors\` counts failed requests and answers carrying GraphQL errors; \`stale\` counts answers
the gateway served from its fallback copy because a subgraph timed out or its breaker was open (expected
only in the degraded rows; elsewhere such a row did not measure the whole pipeline).

| scenario | target | req/s | p50 | p99 | errors | stale | vs (a) | vs (b) | note |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

### Where the CPU went

Cores used by each group of processes during each measured row (read from \`/proc\`; 2.00 is the whole machine).

| scenario | target | cores used |
| --- | --- | --- |
${results
  .filter((r) => r.cpu)
  .map((r) => `| ${r.scenario} | ${r.target} | ${r.cpu} |`)
  .join('\n')}
${
  orderCost
    ? `
### The cost of an order

CPU per order placed and paid, by process group, with orders started at a fixed ${orderCost.rate} a second for ${DURATION} s (after ${ORDERS_WARMUP} s at that rate)
and counted until every consumer had applied their events (${orderCost.seconds.toFixed(1)} s; ${orderCost.orders.toLocaleString('en-US')} orders, ${orderCost.failures} failed). What the
platform spends without orders, measured over 30 s just before, is subtracted. At this rate the machine has cores to spare, so
the figures do not move with how the processes contend for the cores, as throughput at saturation does (10-15% from run to
run, up to a third on some machines): they are the ones to compare changes to the order path by, though a group's
figure still moves by up to 0.5 ms between runs. They are higher than an order costs at saturation (the
cores of the orders row over its orders/s): at a lower rate relay rounds and consumer transactions carry fewer events each,
and every process wakes more often per order.

| process group | ms of CPU per order |
| --- | --- |
${orderCost.perOrder.map(([group, ms]) => `| ${group} | ${ms.toFixed(2)} |`).join('\n')}
| all | ${orderCost.perOrder.reduce((t, [, ms]) => t + ms, 0).toFixed(2)} |
`
    : ''
}`;
  const file = path.join(REPO, 'docs', 'benchmarks.md');
  const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const analysis = previous.includes('## Against the targets')
    ? previous.slice(previous.indexOf('## Against the targets'))
    : '';
  fs.writeFileSync(file, `${report}\n${analysis}`);
  fs.writeFileSync(path.join(REPO, 'test', '.logs', 'bench', 'results.json'), JSON.stringify(results, null, 2));
  log(`wrote ${path.relative(process.cwd(), file)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
