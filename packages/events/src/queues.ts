import { Queue, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { Consumer } from './catalog';

/** Every job carries these: retries with exponential backoff, failures kept for inspection and replay. */
export const JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: { age: 24 * 3600, count: 100_000 },
  removeOnFail: false,
};

export function openQueue(consumer: Consumer, connection: ConnectionOptions, prefix: string): Queue {
  return new Queue(consumer, { connection, prefix, defaultJobOptions: JOB_OPTIONS });
}
