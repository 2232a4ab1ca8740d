import { Counter, Gauge, Histogram } from 'prom-client';
import { readWhenScraped, registry } from '@baedal/platform';

/* The gateway's own metrics, beside what every process exports (platform's metrics.ts), at /metrics on its internal port. */

export const subgraphRequests = new Counter({
  name: 'baedal_subgraph_requests_total',
  help: 'Subgraph fetches by outcome: ok, error (the subgraph failed), rejected (breaker open)',
  labelNames: ['subgraph', 'outcome'] as const,
  registers: [registry],
});

export const subgraphErrors = new Counter({
  name: 'baedal_subgraph_errors_total',
  help: 'Subgraph failures by kind: timeout, connection, http_5xx, failed_answer (an error that is not a domain answer), unavailable, breaker_open',
  labelNames: ['subgraph', 'kind'] as const,
  registers: [registry],
});

export const subgraphLatency = new Histogram({
  name: 'baedal_subgraph_request_duration_seconds',
  help: 'Time from sending a subgraph fetch to its answer or failure',
  labelNames: ['subgraph'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});

export const breakerState = new Gauge({
  name: 'baedal_subgraph_breaker_state',
  help: 'Circuit breaker per subgraph: 0 closed, 1 half-open, 2 open (the most open of the gateway processes)',
  labelNames: ['subgraph'] as const,
  aggregator: 'max',
  registers: [registry],
});

export const fallbackLookups = new Counter({
  name: 'baedal_fallback_lookups_total',
  help: 'Answers wanted from the fallback cache after a subgraph failure, by result: hit or miss',
  labelNames: ['subgraph', 'result'] as const,
  registers: [registry],
});

export const singleSubgraphCommands = new Counter({
  name: 'baedal_single_subgraph_commands_total',
  help: 'Mutations sent straight to the one subgraph that answers them, by result: answered, pipeline (refused before running, worded by the pipeline), unavailable',
  labelNames: ['subgraph', 'result'] as const,
  registers: [registry],
});

export const singleSubgraphReads = new Counter({
  name: 'baedal_single_subgraph_reads_total',
  help: 'Reads sent straight to the one subgraph that answers them, by result: answered, stale (its kept copy), pipeline (left to the query planner)',
  labelNames: ['subgraph', 'result'] as const,
  registers: [registry],
});

export const gatheredCommands = new Histogram({
  name: 'baedal_gathered_commands',
  help: 'Commands sent to a subgraph in one request (the commands that arrived together)',
  labelNames: ['subgraph'] as const,
  buckets: [1, 2, 4, 8, 16, 32],
  registers: [registry],
});

/** Shared operations looked up in the response cache: counted on the hot path, read when scraped. */
export const responseCacheLookups = { hit: 0, miss: 0 };
readWhenScraped(
  'baedal_response_cache_lookups_total',
  'Shared operations looked up in the response cache, by result: hit, or miss (answered by the shortcut or the planner)',
  'counter',
  () => [
    { labels: { result: 'hit' }, value: responseCacheLookups.hit },
    { labels: { result: 'miss' }, value: responseCacheLookups.miss },
  ],
);
