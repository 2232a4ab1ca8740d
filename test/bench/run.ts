import fs from 'node:fs';
import path from 'node:path';
import { issueToken, SERVICES } from '@baedal/platform';
import { createPaymentsClient } from '@baedal/prisma/payments';
import { createShopsClient } from '@baedal/prisma/shops';
import { Stack, type ProcessName } from '@baedal/stack';
import { closeClients, results } from './load';
import { RedisServer } from '../support/redisServer';
import {
  BASE,
  COLD_ONLY,
  dbUrl,
  env,
  LOGS,
  log,
  ONLY,
  onDatabase,
  PROFILE,
  REDIS_APPENDFSYNC,
  runs,
  SHOPS,
  settled,
} from './options';
import { summarize } from './profile';
import { startReferences } from './references';
import { writeReport } from './report';
import { commands } from './scenarios/commands';
import { measureCost, type OrderCost } from './scenarios/cost';
import { measureCoupons } from './scenarios/coupons';
import { measureDegraded } from './scenarios/degraded';
import { measureOrders } from './scenarios/orders';
import { measureLimitsCost, measureReads, readSets } from './scenarios/reads';
import { measureRealtime } from './scenarios/realtime';
import { measureTracingCost } from './scenarios/tracing';

/*
 * npm run bench: starts the platform on the benchmark data set, and for each
 * scenario (scenarios/) measures Baedal, a bare Node server returning the
 * same bytes (a), and a plain @apollo/gateway joining the same subgraphs the
 * naive way (b), in the same run. Writes docs/benchmarks.md and keeps the
 * run in docs/bench-runs/ (report.ts). Bounded: every phase has a duration;
 * everything runs on 127.0.0.1. Flags: options.ts.
 */

async function startPlatform(stack: Stack): Promise<void> {
  log(`starting the platform with ${SHOPS} shops (seeding and projecting a fresh data set takes minutes)`);
  const leftover = await fetch(stack.readyUrl('gateway')).then(
    () => true,
    () => false,
  );
  if (leftover) {
    throw new Error(
      `something already answers on ${stack.readyUrl('gateway')}: a previous bench still running? Stop it first`,
    );
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void stack.stopAll().finally(() => process.exit(130)));
  await stack.up().catch(async (error: unknown) => {
    await stack.stopAll();
    throw error;
  });
  const projectionStarted = Date.now();
  await settled('the query model to be built', 1000, 30 * 60_000);
  log(`query model ready (${Math.round((Date.now() - projectionStarted) / 1000)} s waiting)`);
  // Postgres on this machine runs without autovacuum, so nothing else would ever gather the planner's
  // statistics for the seeded data or clear what earlier runs left dead: vacuum and analyze each database
  // once, as autovacuum would have, so every run starts alike (docs/performance.md, P26).
  const vacuumStarted = Date.now();
  for (const service of SERVICES) await onDatabase(service, (client) => client.query('VACUUM (ANALYZE)'));
  log(`databases vacuumed and analyzed (${((Date.now() - vacuumStarted) / 1000).toFixed(1)} s)`);
}

/** --redis-appendfsync: a Redis server of the bench's own with that persistence, for the whole run. */
async function ownRedis(): Promise<RedisServer | null> {
  if (!REDIS_APPENDFSYNC) return null;
  const server = new RedisServer({
    port: BASE + 40,
    appendfsync: REDIS_APPENDFSYNC === 'no' ? undefined : REDIS_APPENDFSYNC,
  });
  await server.start();
  env.BAEDAL_REDIS_URL = server.url;
  process.env.BAEDAL_REDIS_URL = server.url; // what settled() and the scenarios' own clients read
  log(`Redis: a server of the bench's own on ${server.url}, appendfsync ${REDIS_APPENDFSYNC}`);
  return server;
}

async function main() {
  const started = new Date();
  const redis = await ownRedis();
  const stack = new Stack({ env, seedShops: SHOPS, output: LOGS, log });
  try {
    await startPlatform(stack);
    await measureAll(stack, started);
  } finally {
    await redis?.stop();
  }
}

async function measureAll(stack: Stack, started: Date) {
  const gateway = stack.gatewayUrl;
  const profiles = path.join(LOGS, 'profiles');
  const profiled = (name: ProcessName): string[] =>
    PROFILE.includes(name) ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profiles, name)}`] : [];
  const shopsDb = createShopsClient(dbUrl('shops'), 2);
  const paymentsDb = createPaymentsClient(dbUrl('payments'), 2);
  let cost: OrderCost | null = null;
  let references: Awaited<ReturnType<typeof startReferences>> | null = null;
  try {
    for (const name of PROFILE) {
      fs.rmSync(path.join(profiles, name), { recursive: true, force: true });
      await stack.restart(name, {}, profiled(name));
    }
    const sets = await readSets(gateway, shopsDb);
    const send = await commands(gateway, shopsDb);
    references = await startReferences(stack, sets, send);
    const someone = await shopsDb.account.findFirstOrThrow({ where: { role: 'CUSTOMER' } });
    const signedIn = { authorization: `Bearer ${issueToken({ id: someone.id, role: 'CUSTOMER' })}` };

    const customers = (await shopsDb.account.findMany({ where: { role: 'CUSTOMER' }, take: 200 })).map((c) => ({
      authorization: `Bearer ${issueToken({ id: c.id, role: 'CUSTOMER' })}`,
    }));
    const healthy = runs('reads') || COLD_ONLY ? await measureReads(sets, stack, references, signedIn, customers) : {};
    if (runs('limits')) await measureLimitsCost(sets, stack, signedIn);
    if (runs('orders')) await measureOrders(stack, references, send, profiled);
    if (runs('cost')) cost = await measureCost(gateway, send);
    if (runs('coupons')) await measureCoupons(gateway, references, send, paymentsDb);
    if (runs('degraded')) await measureDegraded(stack, gateway, sets, references, healthy, profiled);
    if (runs('tracing')) await measureTracingCost(sets, stack, send);
    if (runs('realtime')) await measureRealtime(gateway, shopsDb, send);
  } finally {
    for (const child of references?.children ?? []) child.kill();
    closeClients();
    await Promise.all([shopsDb.$disconnect(), paymentsDb.$disconnect()]);
    await stack.stopAll();
  }
  for (const name of PROFILE) {
    const dir = path.join(profiles, name);
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).map((f) => path.join(dir, f)) : [];
    log(`profile of ${name}:\n${files.length ? summarize(files) : 'no profile written'}`);
  }
  if (!ONLY) return writeReport(started, cost);
  for (const r of results) {
    log(`${r.scenario} / ${r.target}: ${r.rps}/s p50 ${r.p50} p99 ${r.p99} errors ${r.errors}; cpu ${r.cpu ?? '-'}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
