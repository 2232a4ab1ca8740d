import { applyBatch, applyOnce, batcher } from './apply';
import { db, useEventsDatabase, type EventEnvelope, type TestEvents } from './harness';

useEventsDatabase('apply');

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
  ): EventEnvelope => ({
    id: `33333333-3333-4333-8333-${String(n).padStart(12, '0')}`,
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    aggregateId: `s${n}`,
    payload: { shopId: `s${n}`, reviewCount: 1, ratingSum: n },
  });
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
    const apply = batcher<TestEvents, typeof db>('payments', handlers, transaction, 16);
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
    const apply = batcher<TestEvents, typeof db>('payments', handlers, transaction, 16, 5);
    const burst = Array.from({ length: 20 }, (_, i) => envelope(200 + i));
    // Half now, half a moment later (as jobs reach a worker one by one): all within the linger.
    const first = burst.slice(0, 10).map((e) => apply(e));
    await new Promise((resolve) => setImmediate(resolve));
    const rest = burst.slice(10).map((e) => apply(e));
    expect(await Promise.all([...first, ...rest])).toEqual(burst.map(() => 'applied'));
    expect(sizes).toEqual([16, 4]);
  });
});
