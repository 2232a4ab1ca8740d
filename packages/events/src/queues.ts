import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { Consumer } from './catalog';

/**
 * Every job carries these: retries with exponential backoff (8 attempts from
 * 0.5 s: about a minute in all), failures kept for inspection and replay.
 * BAEDAL_EVENT_ATTEMPTS and BAEDAL_EVENT_BACKOFF_MS change the first two.
 */
export function jobOptions(): JobsOptions {
  return {
    attempts: Number(process.env.BAEDAL_EVENT_ATTEMPTS ?? 8),
    backoff: { type: 'exponential', delay: Number(process.env.BAEDAL_EVENT_BACKOFF_MS ?? 500) },
    removeOnComplete: { age: 24 * 3600, count: 100_000 },
    removeOnFail: false,
  };
}

export function openQueue(consumer: Consumer, connection: ConnectionOptions, prefix: string): Queue {
  return new Queue(consumer, { connection, prefix, defaultJobOptions: jobOptions() });
}
