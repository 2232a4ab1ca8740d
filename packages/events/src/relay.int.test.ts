import Redis from 'ioredis';
import { appendToOutbox } from './outbox';
import {
  db,
  deletePrefix,
  event,
  info,
  jobIds,
  prefix,
  queuedEvents,
  relay,
  ROUTES,
  unrelayed,
  useEventsDatabase,
} from './harness';

useEventsDatabase('relay');

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

  it("queues the events of a consumer that takes one event per job (a rider simulator's) one to a job", async () => {
    const snapshot = (orderId: string) => ({ orderId, status: 'ACCEPTED' });
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
