import type { ConnectionOptions, Job } from 'bullmq';
import { openQueue } from './queues';

export interface DeadLetter {
  consumer: string;
  jobId: string;
  type: string;
  attempts: number;
  failedReason: string;
  failedAt: string | null;
}

/** Jobs that used up their retries. They stay in the queue's failed set until replayed. */
export async function listDeadLetters(
  consumer: string,
  connection: ConnectionOptions,
  prefix: string,
  limit = 100,
): Promise<DeadLetter[]> {
  const queue = openQueue(consumer, connection, prefix);
  try {
    const jobs = await queue.getFailed(0, limit - 1);
    return jobs.map((job) => ({
      consumer,
      jobId: String(job.id),
      type: job.name,
      attempts: job.attemptsMade,
      failedReason: job.failedReason,
      failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    }));
  } finally {
    await queue.close();
  }
}

/**
 * Puts one dead letter back to be processed again: the one way a failed job
 * is replayed, from `npm run events -- dlq replay` and from the queue
 * dashboard alike. A job that is not failed is left alone (false).
 */
export async function replayDeadLetter(job: Job): Promise<boolean> {
  if (!(await job.isFailed())) return false;
  await job.retry('failed');
  return true;
}

/** Puts failed jobs (one, or all) back to be processed again; returns how many. */
export async function replayDeadLetters(
  consumer: string,
  connection: ConnectionOptions,
  prefix: string,
  jobId?: string,
): Promise<number> {
  const queue = openQueue(consumer, connection, prefix);
  try {
    const jobs = jobId ? [await queue.getJob(jobId)] : await queue.getFailed(0, -1);
    let replayed = 0;
    for (const job of jobs) if (job && (await replayDeadLetter(job))) replayed++;
    return replayed;
  } finally {
    await queue.close();
  }
}
