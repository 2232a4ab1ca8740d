import { createHash } from 'node:crypto';
import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import { configuredRetries, retentionSettings, type Retries } from './config';
import type { EventEnvelope } from './envelope';

/** Most jobs a queue keeps completed, and most dead letters (the dead-letter alert fires long before). */
const KEPT_JOBS = 100_000;

/**
 * Every job carries these: retries with exponential backoff (8 attempts from
 * 0.5 s: about a minute in all), failures kept for inspection and replay.
 * BAEDAL_EVENT_ATTEMPTS and BAEDAL_EVENT_BACKOFF_MS change the first two.
 * Completed jobs are kept BAEDAL_COMPLETED_JOB_RETENTION_MS (their ids also
 * keep a job relayed twice from running twice), dead letters
 * BAEDAL_DEAD_LETTER_RETENTION_MS (retention.ts also expires them on a
 * clock, as BullMQ trims only when another job ends), each at most 100,000.
 */
export function jobOptions({ attempts, backoffMs }: Retries = configuredRetries()): JobsOptions {
  const { completedMs, deadLetterMs } = retentionSettings();
  return {
    attempts,
    backoff: { type: 'exponential', delay: backoffMs },
    removeOnComplete: { age: Math.ceil(completedMs / 1000), count: KEPT_JOBS },
    removeOnFail: { age: Math.ceil(deadLetterMs / 1000), count: KEPT_JOBS },
  };
}

/** What a job on a consumer's queue carries: consecutive events of one relay round, in outbox order. */
export interface EventsJob<M = unknown> {
  events: EventEnvelope<M>[];
}

/** A consumer's queue: its name is the consumer's. */
export function openQueue<M>(
  consumer: string,
  connection: ConnectionOptions,
  prefix: string,
  retries?: Retries,
): Queue<EventsJob<M>> {
  return new Queue<EventsJob<M>>(consumer, { connection, prefix, defaultJobOptions: jobOptions(retries) });
}

/** Most events in one job. */
export const EVENTS_PER_JOB = 64;

/**
 * The jobs that carry `events` to a consumer, up to `perJob` events each: a
 * queue operation per job rather than per event (each costs the relay, Redis
 * and the consumer a few round trips). A lone event's job is named by its
 * type and has the event id as job id; a larger job's id is made of a digest
 * of its event ids. Either way the same events relayed twice make one job.
 */
export function eventJobs<M>(
  events: EventEnvelope<M>[],
  perJob = EVENTS_PER_JOB,
): { name: string; data: EventsJob<M>; opts: JobsOptions }[] {
  const jobs = [];
  for (let start = 0; start < events.length; start += perJob) {
    const chunk = events.slice(start, start + perJob);
    const jobId =
      chunk.length === 1
        ? chunk[0].id
        : `events-${createHash('sha1')
            .update(chunk.map((e) => e.id).join(','))
            .digest('hex')}`;
    jobs.push({ name: chunk.length === 1 ? chunk[0].type : 'events', data: { events: chunk }, opts: { jobId } });
  }
  return jobs;
}
