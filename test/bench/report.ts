import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { results, type Measure } from './load';
import { CONNECTIONS, CORES, DURATION, LOGS, log, ORDERS_WARMUP, REPO, SHOPS, WARMUP } from './options';
import type { OrderCost } from './scenarios/cost';

/*
 * The report of a full run: docs/benchmarks.md gets it in place of the
 * previous one, above its hand-written "Against the targets" section, and
 * docs/bench-runs/<date>-<commit>.md keeps it for good.
 */

function commit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: REPO,
      encoding: 'utf8',
    });
    return dirty.trim() ? `${sha}-dirty` : sha;
  } catch {
    return 'unknown';
  }
}

function costSection(cost: OrderCost): string {
  return `
### The cost of an order

CPU per order placed and paid, by process group, with orders started at a fixed ${cost.rate} a second for ${DURATION} s (after ${ORDERS_WARMUP} s at that rate)
and counted until every consumer had applied their events (${cost.seconds.toFixed(1)} s; ${cost.orders.toLocaleString('en-US')} orders, ${cost.failures} failed). What the
platform spends without orders, measured over 30 s just before, is subtracted. At this rate the machine has cores to spare, so
the figures do not move with how the processes contend for the cores, as throughput at saturation does (10-15% from run to
run, up to a third on some machines): they are the ones to compare changes to the order path by, though a group's
figure still moves by up to 0.5 ms between runs. They are higher than an order costs at saturation (the
cores of the orders row over its orders/s): at a lower rate relay rounds and consumer transactions carry fewer events each,
and every process wakes more often per order.

| process group | ms of CPU per order |
| --- | --- |
${cost.perOrder.map(([group, ms]) => `| ${group} | ${ms.toFixed(2)} |`).join('\n')}
| all | ${cost.perOrder.reduce((t, [, ms]) => t + ms, 0).toFixed(2)} |
`;
}

function reportText(started: Date, run: string, cost: OrderCost | null): string {
  const ref = (scenario: string, target: string) => results.find((r) => r.scenario === scenario && r.target === target);
  const rows = results.map((r) => {
    const a = ref(r.scenario, 'bare server (a)');
    const b = ref(r.scenario, 'plain @apollo/gateway (b)');
    const ratio = (x?: Measure) => (x && r.target !== x.target ? `${(r.rps / x.rps).toFixed(2)}x` : '');
    // Beside each row, so a reader sees whether the load generator or Baedal was the limit (2.00 is the machine).
    const generator = /load generator (\d+\.\d+)/.exec(r.cpu ?? '')?.[1] ?? '';
    return `| ${r.scenario} | ${r.target} | ${r.rps.toLocaleString('en-US')} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.stale ?? ''} | ${ratio(a)} | ${ratio(b)} | ${generator} | ${r.note ?? ''} |`;
  });
  const cpuRows = results.filter((r) => r.cpu).map((r) => `| ${r.scenario} | ${r.target} | ${r.cpu} |`);
  return `# Benchmarks

Produced by \`npm run bench -- --shops ${SHOPS} --duration ${DURATION} --warmup ${WARMUP} --orders-warmup ${ORDERS_WARMUP} --connections ${CONNECTIONS}\` on ${started.toISOString().slice(0, 10)} at ${run}
(kept as [docs/bench-runs/${path.basename(runFile(started, run))}](bench-runs/${path.basename(runFile(started, run))}); earlier runs are beside it).

- Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}
- Processes: the gateway and the shops subgraph ${CORES} each (node:cluster), one workers process, one per other subgraph, two provider simulators, Postgres and Redis, all on this machine.
- Load generator, on the same machine: autocannon with ${CONNECTIONS} connections for the reads; for the commands, where a request needs the previous answer, loops of requests through the platform's \`callWithin\` (node:http, keep-alive; orders: 32 customers at a time; coupons: ${CONNECTIONS}). ${WARMUP} s warm-up, then ${DURATION} s measured per row (Baedal's orders: ${ORDERS_WARMUP} s of ordering first; the coupon burst is 20,000 claims, after the warm-up's seconds of claims on another campaign).
- Data: ${SHOPS.toLocaleString('en-US')} seeded shops. Shop detail requests spread over every shop with Zipf popularity; the list covers the 5 areas × 10 categories × first 3 pages.
- (a) is a bare Node HTTP server answering the same requests with the bytes Baedal answered (a command's answer is one Baedal gave to the same operation); (b) is a plain \`@apollo/gateway\` with default settings and no caches over the same subgraphs, joining shop, rating and ad placement across subgraphs per request, and sending commands through its query planner with the caller's identity. With shops stopped, (b) has no copy to answer from. The event pipeline rows count events applied by the workers, which neither reference has, so they have no ratios.

Latencies are in milliseconds. Ratios compare Baedal's requests/s with (a) and (b). \`generator cores\`
is the load generator's CPU during the row (2.00 is the machine it shares with Baedal). Every answer is
inspected: \`errors\` counts failed requests and answers carrying GraphQL errors; \`stale\` counts answers
the gateway served from its fallback copy because a subgraph timed out or its breaker was open (expected
only in the degraded rows; elsewhere such a row did not measure the whole pipeline).

| scenario | target | req/s | p50 | p99 | errors | stale | vs (a) | vs (b) | generator cores | note |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

### Where the CPU went

Cores used by each group of processes during each measured row (read from \`/proc\`; 2.00 is the whole machine).

| scenario | target | cores used |
| --- | --- | --- |
${cpuRows.join('\n')}
${cost ? costSection(cost) : ''}`;
}

function runFile(started: Date, run: string): string {
  return path.join(REPO, 'docs', 'bench-runs', `${started.toISOString().slice(0, 10)}-${run}.md`);
}

/** Writes the full run's report: the archive, and docs/benchmarks.md above its "Against the targets". */
export function writeReport(started: Date, cost: OrderCost | null): void {
  const run = commit();
  const report = reportText(started, run, cost);
  const archive = runFile(started, run);
  fs.mkdirSync(path.dirname(archive), { recursive: true });
  fs.writeFileSync(archive, report);
  const file = path.join(REPO, 'docs', 'benchmarks.md');
  const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const against = previous.indexOf('## Against the targets');
  fs.writeFileSync(file, against >= 0 ? `${report}\n${previous.slice(against)}` : report);
  fs.writeFileSync(path.join(LOGS, 'results.json'), JSON.stringify(results, null, 2));
  log(`wrote ${path.relative(process.cwd(), file)} and ${path.relative(process.cwd(), archive)}`);
}
