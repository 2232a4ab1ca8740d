import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { cpuSecondsBetween, snapshotCpu } from './cpu';

/*
 * What one kept answer costs the gateway, compared across built trees of
 * Baedal (this one and, say, a worktree at an older commit):
 *
 *   node test/dist/bench/hitPath.js <tree> [<tree> ...] [--rounds 2] [--requests 100000] [--top 0] [--row home]
 *
 * Each round starts each tree's platform in turn (its own Stack, one gateway
 * process under V8's CPU profiler, 200 seeded shops), sends the bench's home
 * query until it is kept, then sends it `requests` more times, and reports
 * the gateway's CPU per answer split into Baedal's JavaScript, Node's, the
 * libraries', V8 (compiler and GC) and the socket writes. On a machine whose speed drifts between runs by
 * more than the difference sought, the trees alternate and each is read by
 * its own profile, not by requests per second. `--top N` adds the N
 * functions of most self time per answer, to compare trees by. `--row cold-detail` instead sends
 * every shop's detail with the response cache off, and reads each process's CPU from /proc: the
 * gateway, the shops subgraph and its Postgres, per answer; `--profile shops` (or gateway) adds
 * that process's profile. A tree needs `npm ci`, its
 * build and `npx tsc -p test/tsconfig.bench.json`.
 */

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args.splice(i, 2)[1]) : fallback;
};
const ROUNDS = flag('rounds', 2);
const REQUESTS = flag('requests', 100_000);
const TOP = flag('top', 0);
const rowAt = args.indexOf('--row');
/** `home`: a kept answer, by the gateway's profile. `cold-detail`: shop detail with the response cache off, by every process's CPU. */
const ROW = rowAt >= 0 ? args.splice(rowAt, 2)[1] : 'home';
if (ROW !== 'home' && ROW !== 'cold-detail') throw new Error(`--row ${ROW}: home or cold-detail`);
const profileAt = args.indexOf('--profile');
/** The process profiled by V8: the gateway for home; for cold detail only when named (`--profile shops`). */
const PROFILED = (profileAt >= 0 ? args.splice(profileAt, 2)[1] : ROW === 'home' ? 'gateway' : undefined) as
  'gateway' | 'shops' | undefined;
const trees = args.map((tree) => path.resolve(tree));
const HOME = `query Home($area: DeliveryArea!) { home(area: $area) { categories { category shopCount } advertisedShops { id name deliveryFee rating reviewCount adPlacement(area: $area) { product } } } }`;
const body = JSON.stringify({ query: HOME, variables: { area: 'GANGNAM' } });
const DETAIL = `query Detail($id: ID!) { shop(id: $id) { id name description deliveryFee minimumOrder openingHours { day opens closes } rating reviewCount menu { id name items { id name price soldOut optionGroups { id name options { id name price } } } } } }`;
const IDS = `query Ids($area: DeliveryArea!) { shops(area: $area, first: 50) { edges { node { id } } } }`;

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Busy microseconds of a gateway worker's profile by kind: Baedal's JavaScript, Node's, the libraries',
 * V8 itself, socket writes, other native. Node's own code is the same in every tree: when the machine's
 * speed drifts, Baedal's share against Node's still compares trees.
 */
function costOf(file: string): { cost: Record<string, number>; functions: Map<string, number> } {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const functions = new Map<string, number>();
  const cost: Record<string, number> = {
    baedal: 0,
    node: 0,
    libraries: 0,
    v8: 0,
    'socket writes': 0,
    'other native': 0,
  };
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = frames.get(id)!;
    if (functionName === '(idle)') return;
    // Named the same in every tree: the path below node_modules or the repository's root.
    const where = url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/\/(tmp\/\w+|work\/main)\//, '');
    const name = `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
    const kind =
      functionName === 'writev' || functionName === 'writeBuffer'
        ? 'socket writes'
        : functionName === '(program)' || functionName === '(garbage collector)'
          ? 'v8'
          : url.includes('/node_modules/')
            ? 'libraries'
            : url.includes('/dist/')
              ? 'baedal'
              : url
                ? 'node'
                : 'other native';
    cost[kind] += profile.timeDeltas[i] ?? 0;
  });
  return { cost, functions };
}

const send = (url: string, amount: { amount?: number; duration?: number }, bodies = [body]) =>
  autocannon({
    url,
    method: 'POST',
    connections: 32,
    headers: { 'content-type': 'application/json' },
    requests: bodies.map((b) => ({ body: b })),
    ...amount,
  });

/** Every seeded shop's detail body, read through the tree's own gateway. */
async function detailBodies(url: string): Promise<string[]> {
  const ids = new Set<string>();
  for (const area of ['GANGNAM', 'SEOCHO', 'SONGPA', 'MAPO', 'JONGNO']) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: IDS, variables: { area } }),
    });
    const answer = (await response.json()) as { data?: { shops: { edges: { node: { id: string } }[] } } };
    for (const edge of answer.data?.shops.edges ?? []) ids.add(edge.node.id);
  }
  if (ids.size < 40) throw new Error(`only ${ids.size} shops listed`);
  const bodies = [...ids].map((id) => JSON.stringify({ query: DETAIL, variables: { id } }));
  const check = (await (
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodies[0] })
  ).json()) as {
    data?: { shop?: { menu?: unknown[] } };
    errors?: unknown;
  };
  if (check.errors || !check.data?.shop?.menu?.length) throw new Error(`a detail answered ${JSON.stringify(check)}`);
  return bodies;
}

/** Cold detail: CPU µs per answer of every process that served it, by group (gateway, shops, its Postgres). */
async function measureCold(url: string, label: string): Promise<{ answers: number; line: string }> {
  const bodies = await detailBodies(url);
  await send(url, { duration: 3 }, bodies);
  const before = snapshotCpu();
  const result = await send(url, { amount: REQUESTS }, bodies);
  const used = cpuSecondsBetween(before, snapshotCpu());
  if (result.non2xx || result.errors) throw new Error(`${label}: ${result.non2xx + result.errors} failed requests`);
  const answers = result.requests.total;
  const per = (seconds: number) => ((seconds * 1e6) / answers).toFixed(0);
  const groups = [...used].filter(([group]) => group !== 'load generator').sort((a, b) => b[1] - a[1]);
  const total = groups.reduce((sum, [, seconds]) => sum + seconds, 0);
  const line = `${label}: ${per(total)} µs per answer, ${Math.round(result.requests.average)} req/s (${groups
    .filter(([, seconds]) => seconds > 0)
    .map(([group, seconds]) => `${group} ${per(seconds)}`)
    .join(', ')})`;
  return { answers, line };
}

/** The profiled process's CPU per answer by kind, and its busiest functions if asked. */
function profileSummary(profiles: string, answers: number): string {
  // One profile per process: the busiest is the worker that answered.
  const files = fs.readdirSync(profiles).filter((f) => f.endsWith('.cpuprofile'));
  const costs = files.map((f) => costOf(path.join(profiles, f)));
  const { cost: worker, functions } = costs.sort((a, b) => b.cost.node - a.cost.node)[0];
  // The profile spans the process's start too, whose compiling is a few ms per thousand answers.
  const per = (micros: number) => (micros / answers).toFixed(1);
  const total = Object.values(worker).reduce((a, b) => a + b, 0);
  const share = ((100 * worker.baedal) / worker.node).toFixed(0);
  const top = [...functions]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP)
    .map(([name, micros]) => `\n  ${(micros / answers).toFixed(2)} ${name}`)
    .join('');
  return `${PROFILED}: ${per(total)} µs per answer (${Object.entries(worker)
    .map(([kind, micros]) => `${kind} ${per(micros)}`)
    .join(', ')}); Baedal's JavaScript is ${share}% of Node's${top}`;
}

async function measure(tree: string, label: string): Promise<string> {
  // Each tree's own stack and test settings: the trees may differ in both.
  const { Stack } = require(path.join(tree, 'packages/stack/dist/index.js')) as typeof import('@baedal/stack');
  const { testEnv } = require(path.join(tree, 'test/dist/support/stack.js')) as typeof import('../support/stack');
  const profiles = fs.mkdtempSync('/tmp/baedal-hitpath-');
  const env = {
    ...testEnv('hitpath', 16400),
    BAEDAL_DB_PREFIX: 'baedal_hitpath',
    BAEDAL_REDIS_PREFIX: 'baedal_hitpath',
    GATEWAY_WORKERS: '1',
    SHOPS_PROCESSES: '1',
    BAEDAL_RESPONSE_CACHE_TTL_MS: ROW === 'home' ? '600000' : '0',
  };
  const stack = new Stack({ env, seedShops: 200, output: path.join(profiles, 'logs'), log: () => {} });
  try {
    await stack.up();
    if (PROFILED) await stack.restart(PROFILED, {}, ['--cpu-prof', `--cpu-prof-dir=${profiles}`]);
    const url = stack.gatewayUrl;
    let answers = 0;
    let line = label;
    if (ROW === 'cold-detail') {
      ({ answers, line } = await measureCold(url, label));
    } else {
      for (const result of [await send(url, { duration: 3 }), await send(url, { amount: REQUESTS })]) {
        if (result.non2xx || result.errors)
          throw new Error(`${label}: ${result.non2xx + result.errors} failed requests`);
        answers += result.requests.total;
      }
    }
    await stack.stopAll();
    return PROFILED ? `${line}; ${profileSummary(profiles, answers)}` : line;
  } finally {
    await stack.stopAll();
    fs.rmSync(profiles, { recursive: true, force: true });
  }
}

async function main() {
  if (!trees.length) throw new Error('usage: hitPath.js <tree> [<tree> ...] [--rounds N] [--requests N]');
  for (let round = 1; round <= ROUNDS; round++) {
    for (const tree of trees) console.log(await measure(tree, `round ${round}, ${tree}`));
  }
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
