import cluster from 'node:cluster';
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
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

/** GraphQL operations a process answered: gateway (as clients name them) and subgraphs (as the gateway does). */
export const graphqlRequests = new Counter({
  name: 'baedal_graphql_requests_total',
  help: 'GraphQL operations answered, by operation name and outcome: ok, or error (the answer carries errors or is not 200)',
  labelNames: ['operation', 'outcome'] as const,
  registers: [registry],
});
export const graphqlDuration = new Histogram({
  name: 'baedal_graphql_request_duration_seconds',
  help: 'Time from receiving a GraphQL operation to its answer, by operation name',
  labelNames: ['operation'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

// Each operation's series, looked up once (prom-client hashes the labels on every call otherwise: the hot reads pay it).
const series = new Map<
  string,
  { ok: { inc(): void }; error: { inc(): void }; duration: { observe(seconds: number): void } }
>();

/** Counts one answered operation (its name from a boundedLabel); `startedAt` from process.hrtime.bigint(). */
export function observeOperation(operation: string, ok: boolean, startedAt: bigint): void {
  let own = series.get(operation);
  if (!own)
    series.set(
      operation,
      (own = {
        ok: graphqlRequests.labels({ operation, outcome: 'ok' }),
        error: graphqlRequests.labels({ operation, outcome: 'error' }),
        duration: graphqlDuration.labels({ operation }),
      }),
    );
  (ok ? own.ok : own.error).inc();
  own.duration.observe(Number(process.hrtime.bigint() - startedAt) / 1e9);
}

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
