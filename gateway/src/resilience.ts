import CircuitBreaker from 'opossum';
import { GraphQLError } from 'graphql';
import type { Logger } from '@baedal/platform';
import { breakerState, subgraphErrors } from './metrics';

/** Per-subgraph limits; every default can be set for all subgraphs or one (e.g. SHOPS_TIMEOUT_MS). */
export interface GuardSettings {
  timeoutMs: number;
  /** How long an open breaker waits before letting one request probe the subgraph. */
  resetMs: number;
  /** Requests in the rolling window before the breaker may open at all. */
  volumeThreshold: number;
  /** Failure percentage in the window that opens the breaker. */
  errorThresholdPercentage: number;
}

export function guardSettings(subgraph: string): GuardSettings {
  const read = (name: string, fallback: number) => {
    const raw = process.env[`${subgraph.toUpperCase()}_${name}`] ?? process.env[`SUBGRAPH_${name}`];
    return raw ? Number(raw) : fallback;
  };
  return {
    timeoutMs: read('TIMEOUT_MS', 1000),
    resetMs: read('BREAKER_RESET_MS', 5000),
    volumeThreshold: read('BREAKER_VOLUME', 5),
    errorThresholdPercentage: read('BREAKER_ERROR_PERCENT', 50),
  };
}

/** The subgraph failed (as opposed to answering with a domain error). */
export class SubgraphFailure extends Error {
  constructor(
    readonly subgraph: string,
    readonly kind: 'timeout' | 'connection' | 'http_5xx' | 'unavailable' | 'breaker_open',
    message: string,
  ) {
    super(message);
  }
}

export function unavailable(subgraph: string): GraphQLError {
  return new GraphQLError(`The ${subgraph} service is unavailable; try again shortly`, {
    extensions: { code: 'SERVICE_UNAVAILABLE', serviceName: subgraph },
  });
}

/** Classifies an error thrown by a subgraph fetch: a failure of the subgraph, or null for anything else. */
export function asFailure(subgraph: string, error: unknown): SubgraphFailure | null {
  if (error instanceof SubgraphFailure) return error;
  const e = error as { name?: string; type?: string; code?: string; message?: string; extensions?: { response?: { status?: number } } };
  if (e?.name === 'AbortError' || e?.type === 'aborted' || e?.name === 'TimeoutError') return new SubgraphFailure(subgraph, 'timeout', `${subgraph} timed out`);
  if (e?.code === 'EOPENBREAKER') return new SubgraphFailure(subgraph, 'breaker_open', `${subgraph} breaker is open`);
  const status = e?.extensions?.response?.status;
  if (typeof status === 'number') return status >= 500 ? new SubgraphFailure(subgraph, 'http_5xx', `${subgraph} answered ${status}`) : null;
  if (e?.name === 'FetchError' || /ECONNREFUSED|ECONNRESET|socket hang up|EPIPE/.test(e?.message ?? '')) {
    return new SubgraphFailure(subgraph, 'connection', `${subgraph}: ${e.message}`);
  }
  return null;
}

/**
 * A circuit breaker (opossum) around one subgraph's fetches. Opens when
 * enough of the recent fetches failed; while open it rejects at once, and
 * after `resetMs` lets one fetch probe the subgraph.
 */
export function createBreaker(subgraph: string, settings: GuardSettings, log: Logger): CircuitBreaker<[() => Promise<unknown>], unknown> {
  const breaker = new CircuitBreaker((work: () => Promise<unknown>) => work(), {
    // The fetch aborts itself at timeoutMs; opossum only counts outcomes.
    timeout: false,
    resetTimeout: settings.resetMs,
    volumeThreshold: settings.volumeThreshold,
    errorThresholdPercentage: settings.errorThresholdPercentage,
    rollingCountTimeout: 10_000,
    rollingCountBuckets: 10,
    // Domain errors and 4xx answers mean the subgraph is healthy.
    errorFilter: (error: unknown) => asFailure(subgraph, error) === null,
  });
  breakerState.set({ subgraph }, 0);
  breaker.on('open', () => {
    breakerState.set({ subgraph }, 2);
    log.warn({ subgraph }, 'circuit breaker opened');
  });
  breaker.on('halfOpen', () => breakerState.set({ subgraph }, 1));
  breaker.on('close', () => {
    breakerState.set({ subgraph }, 0);
    log.info({ subgraph }, 'circuit breaker closed');
  });
  breaker.on('reject', () => subgraphErrors.inc({ subgraph, kind: 'breaker_open' }));
  return breaker;
}
