import { defineSettings, int } from '@baedal/platform';

/** How often an event's job is tried before it is kept as a dead letter. */
export const eventsConfig = defineSettings({
  BAEDAL_EVENT_ATTEMPTS: int(8, 'tries per event job', 1),
  BAEDAL_EVENT_BACKOFF_MS: int(500, 'the first retry waits this long, each next one twice as long', 0),
  BAEDAL_OUTAGE_WAIT_MS: int(
    500,
    'a consumer whose database or Redis does not answer waits this long first, each time twice as long',
    1,
  ),
  BAEDAL_OUTAGE_MAX_WAIT_MS: int(30_000, 'the longest a consumer waits between looks at a dead dependency', 1),
});

/** How a consumer waits out a dependency that does not answer (outage.ts). */
export function outageSettings() {
  const settings = eventsConfig();
  return {
    firstWaitMs: settings.BAEDAL_OUTAGE_WAIT_MS,
    maxWaitMs: Math.max(settings.BAEDAL_OUTAGE_WAIT_MS, settings.BAEDAL_OUTAGE_MAX_WAIT_MS),
    probeTimeoutMs: 2000,
  };
}

/** Attempts per job, and the first backoff in milliseconds. */
export interface Retries {
  attempts: number;
  backoffMs: number;
}

export function configuredRetries(): Retries {
  const settings = eventsConfig();
  return { attempts: settings.BAEDAL_EVENT_ATTEMPTS, backoffMs: settings.BAEDAL_EVENT_BACKOFF_MS };
}
