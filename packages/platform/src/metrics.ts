import cluster from 'node:cluster';
import { AggregatorRegistry, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Route } from './httpServer';

/*
 * Metrics, one registry per process (prom-client), served at /metrics by
 * every process. Several copies of a process (node:cluster) answer one
 * scrape together: the copy a scrape reaches asks the primary, which gathers
 * every copy's registry and sums them (prom-client's AggregatorRegistry;
 * gauges that every copy reads alike, such as queue counts, take one value),
 * so one scrape covers the whole service.
 */

export const registry = new Registry();
collectDefaultMetrics({ register: registry });
AggregatorRegistry.setRegistries([registry]);
// A copy answers the primary's requests once an AggregatorRegistry exists in it (prom-client adds its listener then).
if (cluster.isWorker) new AggregatorRegistry();

const ASK = 'baedal:metrics?';
const ANSWER = 'baedal:metrics!';
interface Answer {
  type: typeof ANSWER;
  id: number;
  text?: string;
  error?: string;
}

/** In a cluster's primary: answers a copy's request for the whole service's metrics. */
export function gatherMetricsForCopies(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: { type?: string; id?: number }) => {
    if (message?.type !== ASK || message.id === undefined) return;
    const id = message.id;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: ANSWER, id, text } satisfies Answer),
      (error: Error) => worker.send({ type: ANSWER, id, error: error.message } satisfies Answer),
    );
  });
}

let asked = 0;
const pending = new Map<number, (answer: Answer) => void>();
function askPrimary(): Promise<string> {
  if (pending.size === 0) process.on('message', onAnswer);
  const id = ++asked;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => settle({ type: ANSWER, id, error: 'the primary did not answer' }), 5000);
    pending.set(id, (answer) => {
      clearTimeout(timer);
      if (answer.text !== undefined) resolve(answer.text);
      else reject(new Error(answer.error));
    });
    process.send!({ type: ASK, id });
  });
}
function settle(answer: Answer) {
  pending.get(answer.id)?.(answer);
  pending.delete(answer.id);
  if (pending.size === 0) process.off('message', onAnswer);
}
function onAnswer(message: unknown) {
  if ((message as Answer)?.type === ANSWER) settle(message as Answer);
}

/** GET /metrics: this process's registry, or, in a copy of a cluster, the whole service's. */
export const metricsRoute: Route = async (_req, res) => {
  const text = cluster.isWorker ? await askPrimary() : await registry.metrics();
  res.writeHead(200, { 'content-type': registry.contentType });
  res.end(text);
};

/**
 * A label whose values come from callers (operation names): the first `max`
 * values are kept, later ones count as "other", so no caller can grow the
 * metrics without bound.
 */
export function boundedLabel(max = 200): (value: string | undefined | null) => string {
  const seen = new Set<string>();
  return (value) => {
    const name = value || 'anonymous';
    if (seen.has(name)) return name;
    if (seen.size >= max) return 'other';
    seen.add(name);
    return name;
  };
}

/*
 * GraphQL operations a process answered, at the gateway (as clients name
 * them) and at each subgraph (as the gateway does): counts and durations per
 * operation name. Every request passes here, so it is plain arithmetic on
 * the hot path (prom-client's histogram hashes its labels on each call: 3.5%
 * of a hot gateway's CPU), turned into the two metrics when scraped.
 */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

interface OperationTally {
  ok: number;
  error: number;
  /** Observations per bucket (the last is above every bound), not yet cumulative. */
  buckets: Float64Array;
  seconds: number;
}
const tallies = new Map<string, OperationTally>();

/** Counts one answered operation (its name from a boundedLabel); `startedAt` from process.hrtime.bigint(). */
export function observeOperation(operation: string, ok: boolean, startedAt: bigint): void {
  let tally = tallies.get(operation);
  if (!tally)
    tallies.set(
      operation,
      (tally = { ok: 0, error: 0, buckets: new Float64Array(DURATION_BUCKETS.length + 1), seconds: 0 }),
    );
  if (ok) tally.ok++;
  else tally.error++;
  const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
  let bucket = 0;
  while (bucket < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[bucket]) bucket++;
  tally.buckets[bucket]++;
  tally.seconds += seconds;
}

export interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/**
 * A metric prom-client serves (and sums across copies) as one of its own,
 * whose values are read when scraped: for what is counted on a hot path
 * with plain arithmetic.
 */
export function readWhenScraped(
  name: string,
  help: string,
  type: 'counter' | 'histogram',
  values: () => MetricValue[],
): void {
  const metric = { name, help, type, aggregator: 'sum' as const };
  registry.registerMetric({
    ...metric,
    get: () => Promise.resolve({ ...metric, values: values() }),
    reset() {},
  } as never);
}

readWhenScraped(
  'baedal_graphql_requests_total',
  'GraphQL operations answered, by operation name and outcome: ok, or error (the answer carries errors or is not 200)',
  'counter',
  () =>
    [...tallies].flatMap(([operation, tally]) => [
      { labels: { operation, outcome: 'ok' }, value: tally.ok },
      { labels: { operation, outcome: 'error' }, value: tally.error },
    ]),
);

readWhenScraped(
  'baedal_graphql_request_duration_seconds',
  'Time from receiving a GraphQL operation to its answer, by operation name',
  'histogram',
  () =>
    [...tallies].flatMap(([operation, tally]): MetricValue[] => {
      const name = 'baedal_graphql_request_duration_seconds';
      let count = 0;
      const buckets = DURATION_BUCKETS.map((le, i) => {
        count += tally.buckets[i];
        return { labels: { operation, le }, value: count, metricName: `${name}_bucket` };
      });
      count += tally.buckets[DURATION_BUCKETS.length];
      return [
        ...buckets,
        { labels: { operation, le: '+Inf' }, value: count, metricName: `${name}_bucket` },
        { labels: { operation }, value: tally.seconds, metricName: `${name}_sum` },
        { labels: { operation }, value: count, metricName: `${name}_count` },
      ];
    }),
);

export const breakerStates = new Gauge({
  name: 'baedal_breaker_state',
  help: "Each circuit breaker's state by the dependency it guards: 0 closed, 1 half-open, 2 open (the most open of a service's processes)",
  labelNames: ['dependency'] as const,
  aggregator: 'max',
  registers: [registry],
});

/** A pool of database connections, as pg's Pool shows its use. */
export interface ObservablePool {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  /** True once the pool is closed: it is then forgotten. */
  ended?: boolean;
}
const pools = new Map<string, ObservablePool[]>();
new Gauge({
  name: 'baedal_db_pool_connections',
  help: 'Database pool connections by database and state: busy, idle, or waiting (requests queued for one)',
  labelNames: ['database', 'state'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const [database, all] of pools) {
      const list = all.filter((p) => !p.ended);
      if (list.length < all.length) pools.set(database, list);
      const sum = (pick: (p: ObservablePool) => number) => list.reduce((n, p) => n + pick(p), 0);
      this.set(
        { database, state: 'busy' },
        sum((p) => p.totalCount - p.idleCount),
      );
      this.set(
        { database, state: 'idle' },
        sum((p) => p.idleCount),
      );
      this.set(
        { database, state: 'waiting' },
        sum((p) => p.waitingCount),
      );
    }
  },
});

/** Shows `pool`'s use in the metrics, under its database's name. */
export function observePool(database: string, pool: ObservablePool): void {
  pools.set(database, [...(pools.get(database) ?? []), pool]);
}
