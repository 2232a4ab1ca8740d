import { GraphQLError } from 'graphql';
import {
  BREAKER_STATE_VALUES,
  createCircuitBreaker,
  isBreakerOpen,
  type BreakerSettings,
  type GuardedCall,
  type Logger,
} from '@baedal/platform';
import { gatewayConfig, subgraphSettingName, subgraphSettings, type GatewaySettings, type GuardName } from './config';
import { breakerState, subgraphErrors } from './metrics';

/** Per-subgraph limits; every default can be set for all subgraphs or one (e.g. SHOPS_TIMEOUT_MS). */
export interface GuardSettings extends BreakerSettings {
  timeoutMs: number;
  /**
   * Mutations wait longer: a command the gateway gives up on may still commit, and the caller then
   * cannot tell whether it happened, so a busy subgraph is given time to answer.
   */
  mutationTimeoutMs: number;
}

export function guardSettings(
  subgraph: string,
  own: Record<string, number | string | undefined> = subgraphSettings([subgraph]),
  settings: GatewaySettings = gatewayConfig(),
): GuardSettings {
  const shared = settings as unknown as Record<string, number | undefined>;
  const read = (name: GuardName, fallback: number) =>
    (own[subgraphSettingName(subgraph, name)] as number | undefined) ?? shared[`SUBGRAPH_${name}`] ?? fallback;
  const timeoutMs = read('TIMEOUT_MS', 1000);
  return {
    timeoutMs,
    mutationTimeoutMs: read('MUTATION_TIMEOUT_MS', Math.max(timeoutMs, 5000)),
    resetMs: read('BREAKER_RESET_MS', 5000),
    volumeThreshold: read('BREAKER_VOLUME', 5),
    errorThresholdPercentage: read('BREAKER_ERROR_PERCENT', 50),
    windowMs: read('BREAKER_WINDOW_MS', 10_000),
  };
}

/** The subgraph failed (as opposed to answering with a domain error). */
export class SubgraphFailure extends Error {
  constructor(
    readonly subgraph: string,
    readonly kind: 'timeout' | 'connection' | 'http_5xx' | 'failed_answer' | 'unavailable' | 'breaker_open',
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

/** An HTTP answer that is a failure of the subgraph (a 5xx), or null. */
export function statusFailure(subgraph: string, status: number): SubgraphFailure | null {
  return status >= 500 ? new SubgraphFailure(subgraph, 'http_5xx', `${subgraph} answered ${status}`) : null;
}

/**
 * A subgraph's answer is good when it has no errors, or only errors whose
 * code is a domain answer (`allowed`: DOMAIN_ERROR_CODES unless set). Any
 * other error, whatever broke (an internal error, a lost database, a renamed
 * one), is a failure of the subgraph: its kept copy or SERVICE_UNAVAILABLE is
 * answered instead. Decided by what is allowed, never by a list of failures.
 */
export function answerFailure(
  subgraph: string,
  errors: readonly { extensions?: { code?: unknown } }[] | undefined,
  allowed: ReadonlySet<string>,
): SubgraphFailure | null {
  const unexpected = errors?.find((e) => !allowed.has(e.extensions?.code as string));
  if (!unexpected) return null;
  const code = typeof unexpected.extensions?.code === 'string' ? unexpected.extensions.code : 'an error without a code';
  return new SubgraphFailure(subgraph, 'failed_answer', `${subgraph} answered with ${code}`);
}

/** Classifies an error thrown by a subgraph fetch: a failure of the subgraph, or null for anything else. */
export function asFailure(subgraph: string, error: unknown): SubgraphFailure | null {
  if (error instanceof SubgraphFailure) return error;
  const e = error as {
    name?: string;
    type?: string;
    code?: string;
    message?: string;
    extensions?: { response?: { status?: number } };
  };
  if (e?.name === 'AbortError' || e?.type === 'aborted' || e?.name === 'TimeoutError')
    return new SubgraphFailure(subgraph, 'timeout', `${subgraph} timed out`);
  if (isBreakerOpen(e)) return new SubgraphFailure(subgraph, 'breaker_open', `${subgraph} breaker is open`);
  const status = e?.extensions?.response?.status;
  if (typeof status === 'number')
    return status >= 500 ? new SubgraphFailure(subgraph, 'http_5xx', `${subgraph} answered ${status}`) : null;
  if (e?.name === 'FetchError' || /ECONNREFUSED|ECONNRESET|socket hang up|EPIPE/.test(e?.message ?? '')) {
    return new SubgraphFailure(subgraph, 'connection', `${subgraph}: ${e.message}`);
  }
  return null;
}

/** The subgraph's breaker, with its state and refusals in the metrics. */
export function createBreaker(subgraph: string, settings: GuardSettings, log: Logger): GuardedCall {
  const breaker = createCircuitBreaker(
    subgraph,
    settings,
    (error) => asFailure(subgraph, error) !== null,
    log,
    (state) => breakerState.set({ subgraph }, BREAKER_STATE_VALUES[state]),
  );
  breaker.on('reject', () => subgraphErrors.inc({ subgraph, kind: 'breaker_open' }));
  return breaker;
}
