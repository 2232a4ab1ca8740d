import Redis from 'ioredis';
import { Queue, type Job, type JobType } from 'bullmq';
import pg from 'pg';
import pino from 'pino';
import { dropDatabase, ensureDatabase, migrate } from '@baedal/prisma';
import { createPaymentsClient } from '@baedal/prisma/payments';
import { ROUTES, type EventEnvelope } from './catalog';
import { applyBatch, applyOnce, batcher, startConsumer } from './consumer';
import { listDeadLetters, replayDeadLetters } from './dlq';
import type { EventsJob } from './queues';
import { appendToOutbox, event, OUTBOX_CHANNEL, outboxInsert } from './outbox';
import { OutboxRelay } from './relay';

/*
 * The outbox, relay and consumer against real Postgres and Redis. The
 * payments database stands in for any domain: every one has the same
 * OutboxEvent and ProcessedEvent tables.
 */

const name = `baedal_events_${process.pid}`;
const url = `${process.env.BAEDAL_PG_URL ?? 'postgres://postgres@127.0.0.1:5432'}/${name}`;
const redisUrl = process.env.BAEDAL_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const log = pino({ level: 'silent' });
let db: ReturnType<typeof createPaymentsClient>;
let redis: Redis;
let prefix: string;
let testNo = 0;

const info = (shopId: string) => ({
  shopId,
  ownerId: 'o1',
  name: 'n',
  category: 'PIZZA',
  description: '',
  minimumOrder: 0,
  deliveryFee: 0,
  deliveryAreas: ['MAPO'],
  openingHours: [],
  isOpen: true,
});

async function deletePrefix(p: string) {
  const keys = await redis.keys(`${p}:*`);
  if (keys.length) await redis.del(...keys);
}

function relay(overrides: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {}) {
  return new OutboxRelay({ source: 'test', databaseUrl: url, redis, prefix, log, ...overrides });
}

/** A consumer's jobs in the given states, oldest first. */
async function jobsIn(
  consumer: string,
  states: JobType[] = ['waiting', 'active', 'completed', 'failed', 'delayed'],
): Promise<Job<EventsJob>[]> {
  const queue = new Queue<EventsJob>(consumer, { connection: redis, prefix });
  try {
    return await queue.getJobs(states, 0, -1, true);
  } finally {
    await queue.close();
  }
}

async function jobIds(consumer: string): Promise<string[]> {
  return (await jobsIn(consumer)).map((j) => String(j.id)).sort();
}

/** The events a consumer's jobs in `states` (waiting ones unless told) carry, job by job, in queue order. */
async function queuedEvents(consumer: string, states: JobType[] = ['waiting']): Promise<string[][]> {
  return (await jobsIn(consumer, states)).map((j) => j.data.events.map((e) => e.id));
}

async function unrelayed(): Promise<number> {
  return db.outboxEvent.count({ where: { relayedAt: null } });
}

beforeAll(async () => {
  await dropDatabase(name);
  await ensureDatabase(name);
  await migrate('payments', url);
  db = createPaymentsClient(url, 3);
  redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
});

beforeEach(async () => {
  prefix = `baedal_events_test_${process.pid}_${++testNo}`;
  await db.outboxEvent.deleteMany();
  await db.processedEvent.deleteMany();
});

afterEach(async () => deletePrefix(prefix));

afterAll(async () => {
  await db.$disconnect();
  redis.disconnect();
  await dropDatabase(name);
});

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

describe('relay', () => {
  it("moves each event to every consuming queue, a round's events in one job per queue, and marks them relayed", async () => {
    const [shopEvent, menuEvent] = await db.$transaction((tx) =>
      appendToOutbox(tx, [
        event('shop.updated', 's1', 2, info('s1')),
        event('menu.updated', 's1', 3, { shopId: 's1', groups: [] }),
      ]),
    );
    expect(await relay().relayOnce()).toBe(2);
    for (const consumer of ROUTES['shop.updated']) {
      const expected = ROUTES['menu.updated'].includes(consumer) ? [shopEvent.id, menuEvent.id] : [shopEvent.id];
      expect(await queuedEvents(consumer)).toEqual([expected]);
    }
    // A lone event's job has the event's id.
    expect(await jobIds('ads')).toEqual([shopEvent.id]);
    expect(await unrelayed()).toBe(0);
    expect(await relay().relayOnce()).toBe(0);
  });

  it('queues the events of a batch in the order they were appended, at most eventsPerJob to a job', async () => {
    const appended = await db.$transaction((tx) =>
      appendToOutbox(
        tx,
        [1, 2, 3, 4, 5].map((v) => event('shop.updated', 's1', v, info('s1'))),
      ),
    );
    expect(await relay({ eventsPerJob: 2 }).relayOnce()).toBe(5);
    const ids = appended.map((e) => e.id);
    expect(await queuedEvents('shops')).toEqual([ids.slice(0, 2), ids.slice(2, 4), ids.slice(4)]);
  });

  it("queues the rider simulator's events one to a job", async () => {
    const snapshot = (orderId: string) => ({
      orderId,
      customerId: 'c1',
      shopId: 's1',
      status: 'ACCEPTED' as const,
      itemsTotal: 1,
      deliveryFee: 0,
      total: 1,
      deliveryArea: 'MAPO',
      reason: null,
      estimatedCookingMinutes: 10,
      paymentId: null,
    });
    const [a, b] = await db.$transaction((tx) =>
      appendToOutbox(
        tx,
        ['o1', 'o2'].map((id) => event('order.accepted', id, 3, snapshot(id))),
      ),
    );
    expect(await relay().relayOnce()).toBe(2);
    expect(await queuedEvents('delivery')).toEqual([[a.id], [b.id]]);
  });

  it('relays again events whose relay died between publishing them and committing their mark, without a second job', async () => {
    const [e, f] = await db.$transaction((tx) =>
      appendToOutbox(tx, [event('shop.updated', 's1', 1, info('s1')), event('shop.updated', 's2', 1, info('s2'))]),
    );
    const dying = relay();
    // Publishing succeeds, then the process "dies" before the mark commits.
    type Client = { query: (sql: string, args?: unknown[]) => Promise<unknown> };
    const pool = (dying as unknown as { pool: { connect: (callback?: unknown) => Promise<Client> } }).pool;
    const connect = pool.connect.bind(pool);
    await dying.checkRedisKeptEvents(); // uses pool.query, which must stay unpatched
    pool.connect = async () => {
      const client = await connect();
      const query = client.query.bind(client);
      client.query = async (sql: string, args?: unknown[]) => {
        if (sql === 'COMMIT') throw new Error('killed');
        return query(sql, args);
      };
      return client;
    };
    await expect(dying.relayOnce()).rejects.toThrow('killed');
    expect(await unrelayed()).toBe(2);
    expect(await queuedEvents('shops')).toEqual([[e.id, f.id]]);

    expect(await relay().relayOnce()).toBe(2);
    expect(await unrelayed()).toBe(0);
    expect(await queuedEvents('shops')).toEqual([[e.id, f.id]]);
  });

  it('keeps events in the outbox while Redis is unreachable and relays them when it is back', async () => {
    await db.$transaction((tx) => appendToOutbox(tx, [event('shop.updated', 's1', 1, info('s1'))]));
    const deadRedis = new Redis('redis://127.0.0.1:1', {
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      lazyConnect: true,
    });
    deadRedis.on('error', () => {});
    await expect(relay({ redis: deadRedis }).relayOnce()).rejects.toThrow();
    deadRedis.disconnect();
    expect(await unrelayed()).toBe(1);
    expect(await relay().relayOnce()).toBe(1);
    expect(await jobIds('shops')).toHaveLength(1);
  });

  it('relays recent events again after Redis comes back empty', async () => {
    const [e] = await db.$transaction((tx) =>
      appendToOutbox(tx, [event('review.stats.changed', 's1', 1, { shopId: 's1', reviewCount: 1, ratingSum: 5 })]),
    );
    const r = relay();
    expect(await r.relayOnce()).toBe(1);
    expect(await jobIds('shops')).toEqual([e.id]);

    await deletePrefix(prefix); // what a Redis restarted without persistence looks like to us
    expect(await jobIds('shops')).toEqual([]);
    expect(await r.checkRedisKeptEvents()).toBe(1);
    expect(await r.relayOnce()).toBe(1);
    expect(await jobIds('shops')).toEqual([e.id]);
  });

  it('sets its sentinel only after unmarking, so an unmarking that fails is tried again', async () => {
    const [e] = await db.$transaction((tx) =>
      appendToOutbox(tx, [event('review.stats.changed', 's1', 1, { shopId: 's1', reviewCount: 1, ratingSum: 5 })]),
    );
    const r = relay();
    expect(await r.relayOnce()).toBe(1);
    await deletePrefix(prefix); // Redis restarted empty
    // The first unmarking fails (a crash, as far as Redis can tell).
    const pool = (r as unknown as { pool: { query: (sql: string, ...rest: unknown[]) => Promise<unknown> } }).pool;
    const query = pool.query.bind(pool);
    pool.query = async (sql: string, ...rest: unknown[]) => {
      if (sql.startsWith('UPDATE "OutboxEvent" SET "relayedAt" = NULL')) {
        pool.query = query;
        throw new Error('killed');
      }
      return query(sql, ...rest);
    };
    await expect(r.checkRedisKeptEvents()).rejects.toThrow('killed');
    expect(await r.checkRedisKeptEvents()).toBe(1);
    expect(await r.relayOnce()).toBe(1);
    expect(await jobIds('shops')).toEqual([e.id]);
  });

  it('while events keep coming, starts a round at most every minIntervalMs, carrying all that committed meanwhile', async () => {
    // An interval well above what five small commits take on a busy CI machine (300 ms was not).
    const minIntervalMs = 1000;
    const r = relay({ minIntervalMs, pollMs: 5000 });
    const rounds: { startedAt: number; moved: number }[] = [];
    const relayOnce = r.relayOnce.bind(r);
    r.relayOnce = async () => {
      const startedAt = Date.now();
      const moved = await relayOnce();
      if (moved) rounds.push({ startedAt, moved });
      return moved;
    };
    await r.start();
    try {
      const append = (i: number) =>
        db.$transaction((tx) =>
          appendToOutbox(tx, [
            event('review.stats.changed', `s${i}`, 1, { shopId: `s${i}`, reviewCount: 1, ratingSum: 5 }),
          ]),
        );
      await append(0);
      for (let waited = 0; rounds.length === 0 && waited < 2000; waited += 10)
        await new Promise((resolve) => setTimeout(resolve, 10));
      expect(rounds.map((round) => round.moved)).toEqual([1]); // a quiet relay relays at once
      // Five commits, each notifying, within the interval: one round carries them.
      for (let i = 1; i <= 5; i++) await append(i);
      for (let waited = 0; (await unrelayed()) > 0 && waited < 3000; waited += 10)
        await new Promise((resolve) => setTimeout(resolve, 10));
      expect(rounds.map((round) => round.moved)).toEqual([1, 5]);
      expect(rounds[1].startedAt - rounds[0].startedAt).toBeGreaterThanOrEqual(minIntervalMs - 5);
    } finally {
      await r.stop();
    }
  });
});

describe('relays of one database in several processes', () => {
  const until = async (what: string, check: () => Promise<boolean> | boolean) => {
    for (const started = Date.now(); !(await check()); await new Promise((resolve) => setTimeout(resolve, 20))) {
      if (Date.now() - started > 5000) throw new Error(`timed out waiting for ${what}`);
    }
  };

  it('one leads and relays; another stands by and takes over when the leader stops', async () => {
    const relays = [relay({ pollMs: 100 }), relay({ pollMs: 100 })];
    const rounds = [0, 0];
    relays.forEach((r, i) => {
      const relayOnce = r.relayOnce.bind(r);
      r.relayOnce = () => (rounds[i]++, relayOnce());
    });
    const [leader, standby] = relays;
    await leader.start();
    await standby.start();
    try {
      expect([leader.isLeading, standby.isLeading]).toEqual([true, false]);
      const [first] = await db.$transaction((tx) => appendToOutbox(tx, [event('shop.updated', 's1', 1, info('s1'))]));
      await until('the leader to relay', async () => (await unrelayed()) === 0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(rounds[0]).toBeGreaterThan(0);
      expect(rounds[1]).toBe(0);

      await leader.stop();
      await until('the standby to take over', () => standby.isLeading);
      const [second] = await db.$transaction((tx) => appendToOutbox(tx, [event('shop.updated', 's1', 2, info('s1'))]));
      await until('the new leader to relay', async () => (await unrelayed()) === 0);
      expect(rounds[1]).toBeGreaterThan(0);
      expect(await jobIds('shops')).toEqual([first.id, second.id].sort());
    } finally {
      await leader.stop().catch(() => {});
      await standby.stop();
    }
  });
});

describe('applyOnce', () => {
  const envelope = (id: string): EventEnvelope<'review.stats.changed'> => ({
    id,
    type: 'review.stats.changed',
    version: 1,
    occurredAt: new Date().toISOString(),
    aggregateId: 's1',
    payload: { shopId: 's1', reviewCount: 1, ratingSum: 4 },
  });

  it('applies an event once however often it is delivered', async () => {
    const effects: string[] = [];
    const handlers = {
      'review.stats.changed': async (e: EventEnvelope<'review.stats.changed'>) => void effects.push(e.id),
    };
    const transaction = <R>(work: (tx: typeof db) => Promise<R>) => db.$transaction((tx) => work(tx as typeof db));
    const e = envelope('11111111-1111-4111-8111-111111111111');
    expect(await applyOnce('shops', e, handlers, transaction)).toBe('applied');
    expect(await applyOnce('shops', e, handlers, transaction)).toBe('duplicate');
    expect(
      await Promise.all([applyOnce('orders', e, handlers, transaction), applyOnce('orders', e, handlers, transaction)]),
    ).toEqual(expect.arrayContaining(['applied', 'duplicate']));
    expect(effects).toEqual([e.id, e.id]); // once for "shops", once for "orders"
  });

  it('records nothing when the effect fails, so a retry applies it', async () => {
    const transaction = <R>(work: (tx: typeof db) => Promise<R>) => db.$transaction((tx) => work(tx as typeof db));
    const e = envelope('22222222-2222-4222-8222-222222222222');
    let fail = true;
    const handlers = {
      'review.stats.changed': async (_e: EventEnvelope<'review.stats.changed'>, tx: typeof db) => {
        await tx.payment.create({
          data: { id: 'p1', orderId: 'o1', customerId: 'c1', amount: 1, method: 'CARD', status: 'APPROVED' },
        });
        if (fail) throw new Error('downstream hiccup');
      },
    };
    await expect(applyOnce('payments', e, handlers, transaction)).rejects.toThrow('downstream hiccup');
    expect(await db.processedEvent.count()).toBe(0);
    expect(await db.payment.count()).toBe(0);
    fail = false;
    expect(await applyOnce('payments', e, handlers, transaction)).toBe('applied');
    expect(await db.payment.count()).toBe(1);
    await db.payment.deleteMany();
  });
});

describe('applyBatch and batcher', () => {
  const envelope = (
    n: number,
    type: 'review.stats.changed' | 'ad.placement.changed' = 'review.stats.changed',
  ): EventEnvelope =>
    ({
      id: `33333333-3333-4333-8333-${String(n).padStart(12, '0')}`,
      type,
      version: 1,
      occurredAt: new Date().toISOString(),
      aggregateId: `s${n}`,
      payload: { shopId: `s${n}`, reviewCount: 1, ratingSum: n },
    }) as EventEnvelope;
  const paymentFor = (e: EventEnvelope) => ({
    id: `p-${e.id}`,
    orderId: e.id,
    customerId: 'c1',
    amount: 1,
    method: 'CARD',
    status: 'APPROVED' as const,
  });

  afterEach(() => db.payment.deleteMany());

  it('applies new events once in one transaction, in order, and reports duplicates and events it has no handler for', async () => {
    const handlers = {
      'review.stats.changed': async (e: EventEnvelope<'review.stats.changed'>, tx: typeof db) =>
        void (await tx.payment.create({ data: paymentFor(e) })),
    };
    let transactions = 0;
    const transaction = <R>(work: (tx: typeof db) => Promise<R>) => {
      transactions++;
      return db.$transaction((tx) => work(tx as typeof db));
    };
    const [seen, a, b, other] = [envelope(1), envelope(2), envelope(3), envelope(4, 'ad.placement.changed')];
    await applyOnce('payments', seen, handlers, transaction);
    transactions = 0;
    expect(await applyBatch('payments', [a, seen, b, other], handlers, transaction)).toEqual([
      'applied',
      'duplicate',
      'applied',
      'ignored',
    ]);
    expect(transactions).toBe(1);
    expect((await db.payment.findMany()).map((p) => p.orderId).sort()).toEqual([seen.id, a.id, b.id].sort());
    expect((await db.processedEvent.findMany()).map((p) => p.eventId).sort()).toEqual(
      [seen.id, a.id, b.id, other.id].sort(),
    );
  });

  it('applies an event that is twice in a batch once (relayed again in another job)', async () => {
    const applied: string[] = [];
    const handlers = {
      'review.stats.changed': async (e: EventEnvelope<'review.stats.changed'>) => void applied.push(e.id),
    };
    const transaction = <R>(work: (tx: typeof db) => Promise<R>) => db.$transaction((tx) => work(tx as typeof db));
    const [a, b] = [envelope(40), envelope(41)];
    expect(await applyBatch('payments', [a, b, a], handlers, transaction)).toEqual(['applied', 'applied', 'duplicate']);
    expect(applied).toEqual([a.id, b.id]);
  });

  it('hands each run of one type to its set-based handler in one call, keeping the order across types', async () => {
    const calls: string[][] = [];
    const handlers = {
      'review.stats.changed': {
        many: async (events: EventEnvelope<'review.stats.changed'>[], tx: typeof db) => {
          calls.push(events.map((e) => e.aggregateId));
          await tx.payment.createMany({ data: events.map(paymentFor) });
        },
      },
      'ad.placement.changed': async (e: EventEnvelope<'ad.placement.changed'>) =>
        void calls.push([`one:${e.aggregateId}`]),
    };
    const transaction = <R>(work: (tx: typeof db) => Promise<R>) => db.$transaction((tx) => work(tx as typeof db));
    const seen = envelope(20);
    expect(await applyOnce('payments', seen, handlers, transaction)).toBe('applied');
    expect(calls).toEqual([['s20']]);
    calls.length = 0;
    const batch = [
      envelope(21),
      envelope(22),
      seen,
      envelope(23),
      envelope(24, 'ad.placement.changed'),
      envelope(25, 'ad.placement.changed'),
      envelope(26),
    ];
    expect(await applyBatch('payments', batch, handlers, transaction)).toEqual([
      'applied',
      'applied',
      'duplicate',
      'applied',
      'applied',
      'applied',
      'applied',
    ]);
    // A duplicate drops out of its run; the other type's events go one at a time, in their place.
    expect(calls).toEqual([['s21', 's22', 's23'], ['one:s24'], ['one:s25'], ['s26']]);
    expect(await db.payment.count()).toBe(5);
  });

  it('hands consecutive events of several types to the one set-based handler they share in one call', async () => {
    const calls: string[][] = [];
    const shared = {
      many: async (events: EventEnvelope[]) => void calls.push(events.map((e) => `${e.type}:${e.aggregateId}`)),
    };
    const handlers = { 'review.stats.changed': shared, 'ad.placement.changed': shared };
    const transaction = <R>(work: (tx: typeof db) => Promise<R>) => db.$transaction((tx) => work(tx as typeof db));
    const batch = [envelope(31), envelope(32, 'ad.placement.changed'), envelope(33)];
    expect(await applyBatch('payments', batch, handlers, transaction)).toEqual(['applied', 'applied', 'applied']);
    expect(calls).toEqual([['review.stats.changed:s31', 'ad.placement.changed:s32', 'review.stats.changed:s33']]);
  });

  it('records nothing of a batch whose effect fails', async () => {
    const handlers = {
      'review.stats.changed': async (e: EventEnvelope<'review.stats.changed'>, tx: typeof db) => {
        await tx.payment.create({ data: paymentFor(e) });
        if (e.payload.ratingSum === 6) throw new Error('downstream hiccup');
      },
    };
    const transaction = <R>(work: (tx: typeof db) => Promise<R>) => db.$transaction((tx) => work(tx as typeof db));
    await expect(
      applyBatch('payments', [envelope(5), envelope(6), envelope(7)], handlers, transaction),
    ).rejects.toThrow('downstream hiccup');
    expect(await db.processedEvent.count()).toBe(0);
    expect(await db.payment.count()).toBe(0);
  });

  it('gathers events that arrive while a batch is applied, and fails only the bad event of a failed batch', async () => {
    const sizes: number[] = [];
    const handlers = {
      'review.stats.changed': async (e: EventEnvelope<'review.stats.changed'>, tx: typeof db) => {
        await tx.payment.create({ data: paymentFor(e) });
        if (e.payload.ratingSum === 13) throw new Error('projection bug');
      },
    };
    const transaction = <R>(work: (tx: typeof db) => Promise<R>) =>
      db.$transaction(async (tx) => {
        sizes.push(0);
        const result = await work(tx as typeof db);
        if (Array.isArray(result)) sizes[sizes.length - 1] = result.length;
        return result;
      });
    const apply = batcher('payments', handlers, transaction, 16);
    const events = Array.from({ length: 20 }, (_, i) => envelope(10 + i));
    const outcomes = await Promise.allSettled(events.map((e) => apply(e)));
    // (0 marks a transaction of one event, or of a batch that failed.) The first event went alone; the next
    // 16 waited for it and went together, failed, and went again one by one; the last 3 went together.
    expect(sizes).toEqual([0, 0, ...Array(16).fill(0), 3]);
    expect(outcomes.map((o) => o.status)).toEqual(
      events.map((e) => (e.id === envelope(13).id ? 'rejected' : 'fulfilled')),
    );
    expect((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason.message).toBe(
      'projection bug',
    );
    const recorded = (await db.processedEvent.findMany()).map((p) => p.eventId).sort();
    expect(recorded).toEqual(
      events
        .filter((e) => e.id !== envelope(13).id)
        .map((e) => e.id)
        .sort(),
    );
    expect(await db.payment.count()).toBe(19);

    // Without a bad event: the first alone, then the waiting ones in batches of at most 16.
    await db.processedEvent.deleteMany();
    await db.payment.deleteMany();
    sizes.length = 0;
    const good = Array.from({ length: 40 }, (_, i) => envelope(100 + i));
    expect(await Promise.all(good.map((e) => apply(e)))).toEqual(good.map(() => 'applied'));
    expect(sizes).toEqual([0, 16, 16, 7]);
    expect(await db.payment.count()).toBe(40);
  });

  it('with a linger, applies a burst together from its first event', async () => {
    const sizes: number[] = [];
    const handlers = {
      'review.stats.changed': async (e: EventEnvelope<'review.stats.changed'>, tx: typeof db) =>
        void (await tx.payment.create({ data: paymentFor(e) })),
    };
    const transaction = <R>(work: (tx: typeof db) => Promise<R>) =>
      db.$transaction(async (tx) => {
        const result = await work(tx as typeof db);
        sizes.push(Array.isArray(result) ? result.length : 0);
        return result;
      });
    const apply = batcher('payments', handlers, transaction, 16, 5);
    const burst = Array.from({ length: 20 }, (_, i) => envelope(200 + i));
    // Half now, half a moment later (as jobs reach a worker one by one): all within the linger.
    const first = burst.slice(0, 10).map((e) => apply(e));
    await new Promise((resolve) => setImmediate(resolve));
    const rest = burst.slice(10).map((e) => apply(e));
    expect(await Promise.all([...first, ...rest])).toEqual(burst.map(() => 'applied'));
    expect(sizes).toEqual([16, 4]);
  });
});

/**
 * Runs `body` while a "shops" consumer applies review stats with `handler`; its jobs (those relayed
 * meanwhile, and those it queues again) get 2 attempts, 20 ms apart.
 */
async function whileConsuming(
  handler: (e: EventEnvelope<'review.stats.changed'>) => Promise<void>,
  body: () => Promise<void>,
  batch?: number,
) {
  process.env.BAEDAL_EVENT_ATTEMPTS = '2';
  process.env.BAEDAL_EVENT_BACKOFF_MS = '20';
  const connection = redis.duplicate({ maxRetriesPerRequest: null });
  const worker = startConsumer({
    consumer: 'shops',
    handlers: { 'review.stats.changed': handler },
    transaction: (work) => db.$transaction(work),
    batch,
    connection,
    prefix,
    log,
  });
  try {
    await body();
  } finally {
    await worker.close();
    connection.disconnect();
    delete process.env.BAEDAL_EVENT_ATTEMPTS;
    delete process.env.BAEDAL_EVENT_BACKOFF_MS;
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

async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
