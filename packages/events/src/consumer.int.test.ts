import type { Prisma } from '@baedal/prisma/payments';
import { startConsumer } from './consumer';
import { listDeadLetters, replayDeadLetters } from './dlq';
import { appendToOutbox } from './outbox';
import {
  db,
  event,
  eventually,
  FAST_RETRIES,
  jobIds,
  log,
  prefix,
  queuedEvents,
  redis,
  relay,
  useEventsDatabase,
  type EventEnvelope,
  type TestEvents,
} from './harness';

useEventsDatabase('consumer');

/**
 * Runs `body` while a "shops" consumer applies review stats with `handler`; its jobs (those relayed
 * meanwhile, and those it queues again) get 2 attempts, 20 ms apart.
 */
async function whileConsuming(
  handler: (e: EventEnvelope<'review.stats.changed'>) => Promise<void>,
  body: () => Promise<void>,
  batch?: number,
) {
  const connection = redis.duplicate({ maxRetriesPerRequest: null });
  const worker = startConsumer<TestEvents, Prisma.TransactionClient>({
    consumer: 'shops',
    handlers: { 'review.stats.changed': handler },
    transaction: (work) => db.$transaction(work),
    batch,
    connection,
    prefix,
    log,
    retries: FAST_RETRIES,
  });
  try {
    await body();
  } finally {
    await worker.close();
    connection.disconnect();
  }
}

const stats = (shopId: string, ratingSum = 1) =>
  event('review.stats.changed', shopId, 1, { shopId, reviewCount: 1, ratingSum });

describe('dead letters', () => {
  it('keeps a job that used up its retries for listing, and replays it once fixed', async () => {
    let broken = true;
    const applied: string[] = [];
    const handler = async (ev: EventEnvelope<'review.stats.changed'>) => {
      if (broken) throw new Error('projection bug');
      applied.push(ev.id);
    };
    await whileConsuming(handler, async () => {
      const [e] = await db.$transaction((tx) => appendToOutbox(tx, [stats('s9', 3)]));
      await relay().relayOnce();
      await eventually(async () => (await listDeadLetters('shops', redis, prefix)).length === 1);
      const [letter] = await listDeadLetters('shops', redis, prefix);
      expect(letter).toMatchObject({
        jobId: e.id,
        type: 'review.stats.changed',
        attempts: 2,
        failedReason: 'projection bug',
      });

      broken = false;
      expect(await replayDeadLetters('shops', redis, prefix)).toBe(1);
      await eventually(async () => applied.length === 1);
      expect(applied).toEqual([e.id]);
      expect(await listDeadLetters('shops', redis, prefix)).toEqual([]);
    });
  });
});

describe('jobs of several events', () => {
  it('are applied one event at a time by an unbatched consumer', async () => {
    let running = 0;
    const overlaps: number[] = [];
    const handler = async () => {
      overlaps.push(++running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running--;
    };
    await whileConsuming(
      handler,
      async () => {
        await db.$transaction((tx) => appendToOutbox(tx, [stats('s1'), stats('s2'), stats('s3')]));
        await relay().relayOnce();
        expect(await jobIds('shops')).toHaveLength(1); // the three events in one job
        await eventually(async () => (await db.processedEvent.count()) === 3);
        expect(overlaps).toEqual([1, 1, 1]);
      },
      1,
    );
  });

  it('keep the events that were applied, and queue each failed one again alone, to end as a dead letter of its own', async () => {
    const handler = async (ev: EventEnvelope<'review.stats.changed'>) => {
      if (ev.payload.ratingSum === 13) throw new Error('projection bug');
    };
    await whileConsuming(handler, async () => {
      const [good, bad, later] = await db.$transaction((tx) =>
        appendToOutbox(tx, [stats('s1', 1), stats('s2', 13), stats('s3', 3)]),
      );
      await relay().relayOnce();
      await eventually(async () => (await listDeadLetters('shops', redis, prefix)).length === 1);
      const letters = await listDeadLetters('shops', redis, prefix);
      expect(letters).toEqual([
        expect.objectContaining({
          jobId: bad.id,
          type: 'review.stats.changed',
          attempts: 2,
          failedReason: 'projection bug',
        }),
      ]);
      expect((await db.processedEvent.findMany()).map((p) => p.eventId).sort()).toEqual([good.id, later.id].sort());
      // The job of three completed (its good events are not tried again); the bad event's own job failed.
      expect(await queuedEvents('shops', ['completed'])).toEqual([[good.id, bad.id, later.id]]);
    });
  });
});
