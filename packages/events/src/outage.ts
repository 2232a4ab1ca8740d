/*
 * A consumer waits out a dead dependency instead of spending its events'
 * attempts on it. When an event fails, the consumer asks its dependencies
 * (its database, Redis) whether they answer at all. If one does not, the
 * failure is the outage's, not the event's: the consumer waits (longer each
 * time, up to a ceiling) and tries the same job again, for as long as the
 * outage lasts. Only a failure while every dependency answers counts as an
 * attempt of the event. Nothing here looks at which error it was.
 */

export interface OutageSettings {
  /** The first wait once a dependency does not answer; each next one twice as long. */
  firstWaitMs: number;
  /** The longest wait. */
  maxWaitMs: number;
  /** A dependency that takes longer than this to answer a probe does not answer. */
  probeTimeoutMs: number;
}

export interface Outage {
  /** Whether every dependency answers a probe now. */
  dependenciesAnswer(): Promise<boolean>;
  /** How long to wait before trying again (longer each time until the dependencies recover). */
  nextWaitMs(): number;
  /** A job went through: the next outage starts from the first wait again. */
  recovered(): void;
}

const withinMs = <T>(work: Promise<T>, ms: number): Promise<T> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });

export function outageOf(probes: (() => Promise<unknown>)[], settings: OutageSettings): Outage {
  let wait = settings.firstWaitMs;
  return {
    async dependenciesAnswer() {
      try {
        await Promise.all(probes.map((probe) => withinMs(probe(), settings.probeTimeoutMs)));
        return true;
      } catch {
        return false;
      }
    },
    nextWaitMs() {
      const now = wait;
      wait = Math.min(settings.maxWaitMs, wait * 2);
      return now;
    },
    recovered() {
      wait = settings.firstWaitMs;
    },
  };
}
