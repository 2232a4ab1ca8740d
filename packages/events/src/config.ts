import { defineSettings, int } from '@baedal/platform';

/** How often an event's job is tried before it is kept as a dead letter. */
export const eventsConfig = defineSettings({
  BAEDAL_EVENT_ATTEMPTS: int(8, 'tries per event job', 1),
  BAEDAL_EVENT_BACKOFF_MS: int(500, 'the first retry waits this long, each next one twice as long', 0),
});

/** Attempts per job, and the first backoff in milliseconds. */
export interface Retries {
  attempts: number;
  backoffMs: number;
}

export function configuredRetries(): Retries {
  const settings = eventsConfig();
  return { attempts: settings.BAEDAL_EVENT_ATTEMPTS, backoffMs: settings.BAEDAL_EVENT_BACKOFF_MS };
}
