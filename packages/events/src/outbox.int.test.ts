import pg from 'pg';
import { appendToOutbox, OUTBOX_CHANNEL, outboxInsert } from './outbox';
import { db, event, info, url, useEventsDatabase } from './harness';

useEventsDatabase('outbox');

describe('outbox', () => {
  it('writes events only when the transaction commits', async () => {
    await db.$transaction((tx) => appendToOutbox(tx, [event('shop.updated', 's1', 1, info('s1'))]));
    await expect(
      db.$transaction(async (tx) => {
        await appendToOutbox(tx, [event('shop.updated', 's2', 1, info('s2'))]);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect((await db.outboxEvent.findMany()).map((e) => e.aggregateId)).toEqual(['s1']);
  });

  it('keeps events appended together in their order, with their payloads, and notifies the relay only at commit', async () => {
    const listener = new pg.Client({ connectionString: url });
    await listener.connect();
    const notified: string[] = [];
    listener.on('notification', (n) => notified.push(n.channel));
    await listener.query(`LISTEN ${OUTBOX_CHANNEL}`);
    try {
      const appended = await db.$transaction(async (tx) => {
        const envelopes = await appendToOutbox(tx, [
          event('menu.updated', 's1', 3, { shopId: 's1', groups: [] }),
          event('shop.updated', 's1', 2, info('s1')),
          event('shop.closed', 's1', 4, { ...info('s1'), isOpen: false }),
        ]);
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(notified).toEqual([]); // not before the commit
        return envelopes;
      });
      const rows = await db.outboxEvent.findMany({ orderBy: { seq: 'asc' } });
      expect(rows.map((r) => [r.id, r.type, r.version, r.aggregateId])).toEqual(
        appended.map((e) => [e.id, e.type, e.version, e.aggregateId]),
      );
      expect(rows.map((r) => r.payload)).toEqual(appended.map((e) => e.payload));
      expect(rows.every((r) => r.occurredAt.toISOString() === appended[0].occurredAt)).toBe(true);
      for (let waited = 0; notified.length === 0 && waited < 2000; waited += 20)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(notified).toEqual([OUTBOX_CHANNEL]);

      await expect(
        db.$transaction(async (tx) => {
          await appendToOutbox(tx, [event('shop.updated', 's2', 1, info('s2'))]);
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      await db.$transaction((tx) => appendToOutbox(tx, []));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(notified).toHaveLength(1); // neither a rolled-back append nor an empty one notifies
    } finally {
      await listener.end();
    }
  });

  it("writes a command's change and its events in one statement, only when the condition holds, and notifies", async () => {
    const listener = new pg.Client({ connectionString: url });
    await listener.connect();
    let notified = 0;
    listener.on('notification', () => notified++);
    await listener.query(`LISTEN ${OUTBOX_CHANNEL}`);
    try {
      // The ProcessedEvent table stands in for a command's own table: the row is written only if new.
      const command = async (eventId: string, aggregateId: string) => {
        const insert = outboxInsert(
          [
            event('shop.updated', aggregateId, 1, info(aggregateId)),
            event('shop.closed', aggregateId, 2, { ...info(aggregateId), isOpen: false }),
          ],
          3,
          'EXISTS (SELECT 1 FROM changed)',
        );
        const changed = await db.$queryRawUnsafe<unknown[]>(
          `WITH changed AS (INSERT INTO "ProcessedEvent" ("consumer", "eventId") VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1),
             events AS (${insert.sql})
           SELECT * FROM changed`,
          'test',
          eventId,
          ...insert.values,
        );
        return { changed: changed.length, envelopes: insert.envelopes };
      };
      const first = await command('e1', 's1');
      expect(first.changed).toBe(1);
      const rows = await db.outboxEvent.findMany({ orderBy: { seq: 'asc' } });
      expect(rows.map((r) => [r.id, r.type, r.version, r.aggregateId])).toEqual(
        first.envelopes.map((e) => [e.id, e.type, e.version, e.aggregateId]),
      );
      for (let waited = 0; notified === 0 && waited < 2000; waited += 20)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(notified).toBe(1);

      // The same change again changes nothing, so it writes no events.
      expect((await command('e1', 's2')).changed).toBe(0);
      expect(await db.outboxEvent.count()).toBe(2);
      // A statement that fails writes neither.
      const failing = outboxInsert([event('shop.updated', 's3', 1, info('s3'))]);
      await expect(
        db.$queryRawUnsafe(`WITH events AS (${failing.sql}) SELECT 1 / 0`, ...failing.values),
      ).rejects.toThrow('division by zero');
      expect(await db.outboxEvent.count()).toBe(2);
    } finally {
      await listener.end();
    }
  });
});
