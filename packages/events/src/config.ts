import { defineSettings, int } from '@baedal/platform';

const DAY = 24 * 3600_000;

/** How often an event's job is tried before it is kept as a dead letter, how outages are waited out, what is kept. */
export const eventsConfig = defineSettings({
  BAEDAL_EVENT_ATTEMPTS: int(8, 'tries per event job', 1),
  BAEDAL_EVENT_BACKOFF_MS: int(500, 'the first retry waits this long, each next one twice as long', 0),
  BAEDAL_OUTAGE_WAIT_MS: int(
    500,
    'a consumer whose database or Redis does not answer waits this long first, each time twice as long',
    1,
  ),
  BAEDAL_OUTAGE_MAX_WAIT_MS: int(30_000, 'the longest a consumer waits between looks at a dead dependency', 1),
  BAEDAL_OUTBOX_RETENTION_MS: int(7 * DAY, 'a relayed outbox row is deleted this long after it was relayed', 1000),
  BAEDAL_DEAD_LETTER_RETENTION_MS: int(
    7 * DAY,
    'a dead letter not replayed is deleted this long after it failed',
    1000,
  ),
  BAEDAL_PROCESSED_EVENT_RETENTION_MS: int(
    14 * DAY,
    "a consumer's record of an applied event is kept this long: longer than the dead-letter retention",
    1000,
  ),
  BAEDAL_COMPLETED_JOB_RETENTION_MS: int(
    DAY,
    'a completed job is kept this long (and at most 100,000 per queue)',
    1000,
  ),
  BAEDAL_RETENTION_SWEEP_MS: int(3600_000, 'how often the workers prune (once per cluster)', 100),
});

/**
 * How long events and their traces are kept (retention.ts). A redelivery can
 * come as late as a dead letter's replay, so the processed-event horizon must
 * outlast the dead-letter retention, or a late replay would be applied twice.
 */
export function retentionSettings(s = eventsConfig()) {
  if (s.BAEDAL_PROCESSED_EVENT_RETENTION_MS <= s.BAEDAL_DEAD_LETTER_RETENTION_MS) {
    throw new Error(
      `BAEDAL_PROCESSED_EVENT_RETENTION_MS (${s.BAEDAL_PROCESSED_EVENT_RETENTION_MS}) must be longer than ` +
        `BAEDAL_DEAD_LETTER_RETENTION_MS (${s.BAEDAL_DEAD_LETTER_RETENTION_MS}): a dead letter replayed late ` +
        'would otherwise find no record of the events it carried that were applied, and apply them twice',
    );
  }
  return {
    outboxMs: s.BAEDAL_OUTBOX_RETENTION_MS,
    deadLetterMs: s.BAEDAL_DEAD_LETTER_RETENTION_MS,
    processedMs: s.BAEDAL_PROCESSED_EVENT_RETENTION_MS,
    completedMs: s.BAEDAL_COMPLETED_JOB_RETENTION_MS,
    sweepMs: s.BAEDAL_RETENTION_SWEEP_MS,
  };
}

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
