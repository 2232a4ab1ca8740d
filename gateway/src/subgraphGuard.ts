import type { FallbackCache, FallbackEntry } from './fallbackCache';
import type { GatewayContext } from './context';
import { fallbackLookups, subgraphErrors, subgraphLatency, subgraphRequests } from './metrics';
import { asFailure, createBreaker, type GuardSettings } from './resilience';
import type { GuardedCall, Logger } from '@baedal/platform';

/** A guarded call's outcome: the subgraph's answer, or after its failure the kept copy (null if none). */
export type Guarded<T> = { answer: T } | { kept: FallbackEntry | null };

/**
 * The one way every path calls a subgraph (the planner's fetches, the
 * single-subgraph reads and commands): under its circuit breaker, timed and
 * counted; a failure is classified (resilience.ts), counted, logged, and
 * answered from the fallback cache when there is a kept copy.
 */
export class SubgraphGuard {
  private readonly breaker: GuardedCall;

  constructor(
    private readonly subgraph: string,
    settings: GuardSettings,
    private readonly cache: FallbackCache,
    private readonly log: Logger,
  ) {
    this.breaker = createBreaker(subgraph, settings, log);
  }

  /**
   * Every call to the subgraph takes this path: timed, through the breaker,
   * counted. A failure is counted and logged, and answered from the kept copy
   * under `key` if there is one (its age noted in `context.stale`). An error
   * that is not a failure of the subgraph is thrown.
   */
  async guarded<T>(context: Partial<GatewayContext>, key: string | null, work: () => Promise<T>): Promise<Guarded<T>> {
    const subgraph = this.subgraph;
    const endTimer = subgraphLatency.startTimer({ subgraph });
    try {
      const answer = (await this.breaker.fire(work)) as T;
      subgraphRequests.inc({ subgraph, outcome: 'ok' });
      return { answer };
    } catch (error) {
      return { kept: await this.recover(error, key, context) };
    } finally {
      endTimer();
    }
  }

  private async recover(
    error: unknown,
    key: string | null,
    context: Partial<GatewayContext>,
  ): Promise<FallbackEntry | null> {
    const subgraph = this.subgraph;
    const failure = asFailure(subgraph, error);
    if (!failure) throw error;
    subgraphRequests.inc({ subgraph, outcome: failure.kind === 'breaker_open' ? 'rejected' : 'error' });
    // While the breaker is open every request is refused at once: counted, not logged (the breaker logs opening and closing).
    if (failure.kind !== 'breaker_open') {
      subgraphErrors.inc({ subgraph, kind: failure.kind });
      this.log.warn({ subgraph, kind: failure.kind, requestId: context.requestId }, failure.message);
    }
    if (!key) return null;
    const entry = await this.cache.lookup(key);
    fallbackLookups.inc({ subgraph, result: entry ? 'hit' : 'miss' });
    if (entry) {
      const age = Math.round((Date.now() - entry.storedAt) / 1000);
      context.stale?.set(subgraph, Math.max(age, context.stale.get(subgraph) ?? 0));
    }
    return entry;
  }
}
