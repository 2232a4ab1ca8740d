import CircuitBreaker from 'opossum';
import type { Logger } from './logger';
import { breakerStates } from './metrics';

export interface BreakerSettings {
  /** How long an open breaker waits before letting one call probe. */
  resetMs: number;
  /** Calls in the rolling window before the breaker may open at all. */
  volumeThreshold: number;
  /** Failure percentage in the window that opens the breaker. */
  errorThresholdPercentage: number;
  /** How far back the window counts calls (default 10 s). */
  windowMs?: number;
}

export type BreakerState = 'closed' | 'halfOpen' | 'open';
/** A breaker's state as the metrics show it. */
export const BREAKER_STATE_VALUES: Record<BreakerState, number> = { closed: 0, halfOpen: 1, open: 2 };
export type GuardedCall = CircuitBreaker<[() => Promise<unknown>], unknown>;

/**
 * A circuit breaker (opossum) around calls to one dependency: a subgraph for
 * the gateway, a payment provider for payments. `isFailure` says which errors
 * count against the dependency (a domain error does not). The calls time
 * themselves out; the breaker only counts outcomes. Its state is in the
 * metrics (baedal_breaker_state).
 */
export function createCircuitBreaker(
  name: string,
  settings: BreakerSettings,
  isFailure: (error: unknown) => boolean,
  log: Logger,
  onState: (state: BreakerState) => void = () => {},
): GuardedCall {
  const breaker = new CircuitBreaker((work: () => Promise<unknown>) => work(), {
    timeout: false,
    resetTimeout: settings.resetMs,
    volumeThreshold: settings.volumeThreshold,
    errorThresholdPercentage: settings.errorThresholdPercentage,
    rollingCountTimeout: settings.windowMs ?? 10_000,
    rollingCountBuckets: 10,
    errorFilter: (error: unknown) => !isFailure(error),
  });
  const show = (state: BreakerState) => {
    breakerStates.set({ dependency: name }, BREAKER_STATE_VALUES[state]);
    onState(state);
  };
  show('closed');
  breaker.on('open', () => {
    show('open');
    log.warn({ dependency: name }, 'circuit breaker opened');
  });
  breaker.on('halfOpen', () => show('halfOpen'));
  breaker.on('close', () => {
    show('closed');
    log.info({ dependency: name }, 'circuit breaker closed');
  });
  return breaker;
}

/** opossum's error for a call refused by an open breaker. */
export function isBreakerOpen(error: unknown): boolean {
  return (error as { code?: string })?.code === 'EOPENBREAKER';
}
