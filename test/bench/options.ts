import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { eventually, isQuiet, PG_URL, testEnv } from '../support/stack';
import type { ProcessName } from '@baedal/stack';

/*
 * The bench's flags and the platform settings it runs with.
 *
 * Flags: --shops N (20000), --duration S (10), --warmup S (3), --orders-warmup S (15), --connections N (64),
 * --cost-rate N (50 orders/s for the cost row),
 * --only reads,cold,limits,orders,cost,coupons,degraded,tracing,realtime (a subset, printed, no report),
 * --subscriptions N (10000 owner devices for the realtime row), --realtime-rate N (20 orders/s placed and paid there),
 * --profile gateway,shops,... (V8 CPU profiles of those processes, summarized),
 * --one-client (every connection from 127.0.0.1 and never reconnecting, the per-address limits raised as
 * in the test suites: the load generator of the benches before the rate limits, for A/B runs against them),
 * --redis-appendfsync always|everysec|no (the platform on a Redis server of the bench's own with that
 * persistence, rather than the machine's: what durable claims and events cost)
 */

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
export const SHOPS = flag('shops', 20000);
export const DURATION = flag('duration', 10);
export const WARMUP = flag('warmup', 3);
// Ordering runs code in five processes that V8 is still compiling seconds in: on one machine, 10 s
// measured from a cold start gave 41 orders/s and 30-40 s gave 55. Orders are placed this long first.
export const ORDERS_WARMUP = flag('orders-warmup', 15);
export const CONNECTIONS = flag('connections', 64);
// The cost row places orders at this fixed rate, well under what the machine carries.
export const COST_RATE = flag('cost-rate', 50);
// The realtime row: devices following their owner's orders, and the fixed rate of orders they hear of.
export const SUBSCRIPTIONS = flag('subscriptions', 10000);
export const REALTIME_RATE = flag('realtime-rate', 20);
/** Customers placing and paying at once in the order rows. */
export const ORDERING = 32;
// --only reads,cold,orders,cost,coupons,degraded runs a subset and prints it without writing the report.
export const ONLY = args.includes('--only') ? new Set(args[args.indexOf('--only') + 1].split(',')) : null;
export const runs = (part: string) => !ONLY || ONLY.has(part);
/** --only cold: reference (b) and the cache-bypassed read rows alone. */
export const COLD_ONLY = !!ONLY?.has('cold') && !ONLY.has('reads');
// --profile gateway,shops: those processes run under V8's CPU profiler; a summary per process is printed at the end.
export const PROFILE = args.includes('--profile')
  ? (args[args.indexOf('--profile') + 1].split(',') as ProcessName[])
  : [];
export const BASE = 15000;
export const REPO = path.resolve(__dirname, '..', '..', '..');
export const LOGS = path.join(REPO, 'test', '.logs', 'bench');

// As deployed: the gateway and the shops subgraph on every core, the workers in one process (their default; the
// test suites pin every one of them to one process).
export const CORES = String(os.availableParallelism());
export const ONE_CLIENT = args.includes('--one-client');
const appendfsync = args.includes('--redis-appendfsync') ? args[args.indexOf('--redis-appendfsync') + 1] : null;
if (appendfsync && !['always', 'everysec', 'no'].includes(appendfsync))
  throw new Error('--redis-appendfsync takes always, everysec or no');
export const REDIS_APPENDFSYNC = appendfsync as 'always' | 'everysec' | 'no' | null;
// The test suites raise the per-address rate limits (their clients share 127.0.0.1); the bench runs with the
// production limits on, its clients spread over loopback addresses (load.ts), unless --one-client.
const {
  BAEDAL_RATE_LIMIT_ADDRESS_MUTATIONS: _mutations,
  BAEDAL_RATE_LIMIT_ADDRESS_READS: _reads,
  BAEDAL_RATE_LIMIT_ADDRESS_SIGN_IN: _signIn,
  ...productionLimits
} = testEnv('bench', BASE);
const suiteEnv = ONE_CLIENT ? testEnv('bench', BASE) : productionLimits;
export const env: Record<string, string> = {
  ...suiteEnv,
  BAEDAL_DB_PREFIX: `baedal_bench${SHOPS}`,
  BAEDAL_REDIS_PREFIX: `baedal_bench${SHOPS}`,
  ORDERS_AUTO_APPROVE_PAYMENT: 'false',
  // Orders the rows place are never accepted: with the 10-minute default, one run's thousands were rejected at
  // once in the middle of a later run's rows (each rejection a live event to its owner's devices).
  ORDERS_ACCEPT_WINDOW_MS: String(30 * 24 * 3600_000),
  ORDERS_PAYMENT_WINDOW_MS: String(30 * 24 * 3600_000),
  BAEDAL_RIDER_DELAY_MS: '0',
  GATEWAY_WORKERS: CORES,
  SHOPS_PROCESSES: CORES,
  // Hot rows measure kept answers. A row's warm-up walks its sample through answers a row before it kept;
  // with the 30 s default, the 20,000-shop detail sample filled by one row expired in the middle of the
  // next (a hit does not renew an answer), and that row measured misses at the cold rate.
  BAEDAL_RESPONSE_CACHE_TTL_MS: '120000',
};
export const dbUrl = (service: string) => `${PG_URL}/${env.BAEDAL_DB_PREFIX}_${service}`;
export const log = (line: string) => console.log(`[bench] ${line}`);

/** Waits until every outbox of the bench databases is relayed and every queue drained. */
export const settled = (what: string, intervalMs = 500, timeoutMs = 10 * 60_000) =>
  eventually(what, () => isQuiet(env.BAEDAL_DB_PREFIX, dbUrl), timeoutMs, intervalMs);

/** Runs `work` on a connection of its own to a service's bench database, closed afterwards. */
export async function onDatabase<T>(service: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: dbUrl(service) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
