import { Queue, Worker } from 'bullmq';
import pg from 'pg';
import { db, eventually, prefix, redis, url, useEventsDatabase } from './harness';
import { expireDeadLetters, pruneProcessedEvents, pruneRelayedOutbox } from './retention';

useEventsDatabase('retention');

const HOUR = 3600_000;
const ago = (ms: number) => new Date(Date.now() - ms);

let pool: pg.Pool;
beforeAll(() => {
  pool = new pg.Pool({ connectionString: url, max: 1 });
  pool.on('error', () => {}); // the harness drops the database WITH (FORCE) at the end, ending idle connections
});
afterAll(() => pool.end());

async function outboxRow(id: string, relayedAt: Date | null, occurredAt = ago(30 * 24 * HOUR)) {
  await db.outboxEvent.create({
    data: {
      id,
      type: 'shop.updated',
      aggregateId: 's1',
      version: 1,
      payload: {},
      occurredAt,
      relayedAt,
    },
  });
}

describe('retention', () => {
  it('deletes outbox rows relayed before the horizon, in batches, and never an unrelayed one', async () => {
    for (let i = 0; i < 5; i++) await outboxRow(`old-${i}`, ago(8 * 24 * HOUR));
    await outboxRow('recent', ago(HOUR));
    await outboxRow('unrelayed', null);
    expect(await pruneRelayedOutbox(pool, ago(7 * 24 * HOUR), 2)).toBe(5);
    expect((await db.outboxEvent.findMany({ orderBy: { id: 'asc' } })).map((r) => r.id)).toEqual([
      'recent',
      'unrelayed',
    ]);
  });

  it("deletes consumers' records of events applied before the horizon, and keeps the later ones", async () => {
    await db.processedEvent.createMany({
      data: [
        { consumer: 'shops', eventId: 'e1', processedAt: ago(15 * 24 * HOUR) },
        { consumer: 'orders', eventId: 'e1', processedAt: ago(15 * 24 * HOUR) },
        { consumer: 'shops', eventId: 'e2', processedAt: ago(13 * 24 * HOUR) },
      ],
    });
    expect(await pruneProcessedEvents(pool, ago(14 * 24 * HOUR), 1)).toBe(2);
    expect(await db.processedEvent.findMany({ select: { consumer: true, eventId: true } })).toEqual([
      { consumer: 'shops', eventId: 'e2' },
    ]);
  });

  it('expires dead letters that failed longer ago than the retention, and keeps newer ones', async () => {
    const queue = new Queue('retention', { connection: redis, prefix });
    const worker = new Worker(
      'retention',
      async () => {
        throw new Error('fails on its own');
      },
      { connection: redis, prefix },
    );
    try {
      await queue.add('old', {}, { attempts: 1 });
      await eventually(async () => (await queue.getFailedCount()) === 1);
      await new Promise((resolve) => setTimeout(resolve, 600));
      await queue.add('new', {}, { attempts: 1 });
      await eventually(async () => (await queue.getFailedCount()) === 2);
      expect(await expireDeadLetters(queue, 500)).toBe(1);
      expect((await queue.getFailed()).map((job) => job.name)).toEqual(['new']);
    } finally {
      await worker.close();
      await queue.close();
    }
  });
});
