import type { Job } from 'bullmq';
import { keptJob } from './dashboard';

/* What the queue dashboard may do to a job: replay a dead letter as `dlq replay` does, never delete or edit. */

function job(state: 'failed' | 'completed') {
  const calls: unknown[][] = [];
  const target = {
    id: 'j1',
    isFailed: () => Promise.resolve(state === 'failed'),
    retry: (...args: unknown[]) => {
      calls.push(args);
      return Promise.resolve();
    },
    remove: () => Promise.resolve(),
    updateData: () => Promise.resolve(),
    toJSON() {
      return { id: this.id };
    },
  };
  return { kept: keptJob(target as unknown as Job), calls };
}

describe('a job on the queue dashboard', () => {
  it('is retried as a dead letter is replayed: from the failed set', async () => {
    const { kept, calls } = job('failed');
    await kept.retry('failed');
    expect(calls).toEqual([['failed']]);
  });

  it('is not replayed unless it failed', async () => {
    const { kept, calls } = job('completed');
    await expect(kept.retry('completed')).rejects.toThrow(/dead letter/);
    expect(calls).toEqual([]);
  });

  it('is never removed or edited, and reads as itself', async () => {
    const { kept } = job('failed');
    await expect(kept.remove()).rejects.toThrow(/keeps every job/);
    await expect(kept.updateData({})).rejects.toThrow(/keeps every job/);
    expect(kept.toJSON()).toEqual({ id: 'j1' });
  });
});
