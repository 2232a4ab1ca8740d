import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { EventEnvelope, EventPayloads, EventType } from '@baedal/contracts';
import type { Identity } from '@baedal/platform';
import { dropDatabase, ensureDatabase, migrate } from '@baedal/prisma';
import { createAdsClient } from '@baedal/prisma/ads';
import { PG_URL } from './support/stack';

/*
 * Ad money proven exact against its database. fast-check runs random
 * sequences of top-ups, starts, ends, the clock's settlements, deliveries
 * and refunds (duplicated, reordered, and crashed partway: the work rolled
 * back and delivered again) through ads' own commands and event handlers,
 * against a migrated ads database. An oracle written here, from the rules
 * as docs/ads.md states them and not from the ledger's code, says what
 * every command answers and what every account holds; after each run the
 * ledger balances and equals it to the won. A failure prints its seed.
 */

const DAY = 24 * 3600_000;
/** A price table of this test's own (version 2, in force from the start), priced so that days do not divide it evenly. */
const PER_30_DAYS: Record<string, number> = { GANGNAM: 299_999, MAPO: 210_007, JONGNO: 179_989 };
const OPEN_LIST = { basisPoints: 677, floorWon: 310 };
const AREAS = Object.keys(PER_30_DAYS);
const prefix = `baedal_admoney${process.pid}`;

type Commands = typeof import('@baedal/ads/commands');
type Handlers = (typeof import('@baedal/ads/events'))['ownership'];
let commands: Commands;
let handlers: Handlers;
let db: ReturnType<typeof createAdsClient>;

beforeAll(async () => {
  // The commands read their database from the prefix, and the slots: set before they are loaded.
  process.env.BAEDAL_DB_PREFIX = prefix;
  process.env.ADS_ULTRA_CALL_SLOTS = '2';
  await dropDatabase(`${prefix}_ads`);
  await ensureDatabase(`${prefix}_ads`);
  await migrate('ads', `${PG_URL}/${prefix}_ads`);
  commands = await import('@baedal/ads/commands');
  handlers = (await import('@baedal/ads/events')).ownership;
  db = createAdsClient(`${PG_URL}/${prefix}_ads`, 2);
  await db.adPriceTable.create({
    data: {
      version: 2,
      effectiveFrom: new Date(Date.now() - 60_000),
      ultraCallPer30Days: PER_30_DAYS,
      openListBasisPoints: OPEN_LIST.basisPoints,
      openListFloorWon: OPEN_LIST.floorWon,
    },
  });
  // The commands work on this database, not the machine's own: a shop known only here can advertise.
  const probe = { userId: randomUUID(), role: 'OWNER' as const };
  const shopId = randomUUID();
  await db.shopOwner.create({ data: { shopId, ownerId: probe.userId, version: 1 } });
  const input = { shopId, product: 'OPEN_LIST' as const, area: 'MAPO', days: 1 };
  expect((await commands.startAdPlacement(probe, input)).shopId).toBe(shopId);
}, 60_000);

afterAll(async () => {
  await db?.$disconnect();
  await dropDatabase(`${prefix}_ads`);
});

type Op =
  | { kind: 'topUp'; amount: number; times: number; crash: boolean }
  | { kind: 'start'; area: string; product: 'ULTRA_CALL' | 'OPEN_LIST'; days: number; aheadDays: number }
  | { kind: 'end'; pick: number }
  | { kind: 'age'; hours: number }
  | { kind: 'settle'; twice: boolean }
  | { kind: 'deliver'; order: number; itemsTotal: number; area: string; times: number; crash: boolean }
  | { kind: 'refund'; order: number; times: number; crash: boolean };

// Weighted so that the interesting meetings are common: fees on running OPEN_LIST, refunds before deliveries.
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('topUp' as const),
    amount: fc.integer({ min: 10_000, max: 120_000 }),
    times: fc.integer({ min: 1, max: 2 }),
    crash: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('start' as const),
    area: fc.constantFrom(...AREAS),
    product: fc.constantFrom('ULTRA_CALL' as const, 'OPEN_LIST' as const, 'OPEN_LIST' as const),
    days: fc.integer({ min: 1, max: 12 }),
    aheadDays: fc.constantFrom(0, 0, 2),
  }),
  fc.record({ kind: fc.constant('end' as const), pick: fc.nat(9) }),
  fc.record({ kind: fc.constant('age' as const), hours: fc.integer({ min: 1, max: 80 }) }),
  fc.record({ kind: fc.constant('settle' as const), twice: fc.boolean() }),
  fc.record({
    kind: fc.constant('deliver' as const),
    order: fc.nat(3),
    itemsTotal: fc.integer({ min: 1_000, max: 3_000_000 }),
    area: fc.constantFrom(...AREAS),
    times: fc.integer({ min: 1, max: 2 }),
    crash: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('refund' as const),
    order: fc.nat(3),
    times: fc.integer({ min: 1, max: 2 }),
    crash: fc.boolean(),
  }),
);

/** The oracle's contract: what was bought, and how much of it has moved to revenue or back. */
interface Contract {
  id: string;
  area: string;
  product: string;
  price: number;
  days: number;
  startsAt: number;
  endsAt: number;
  ended: boolean;
  /** Won moved from held to revenue so far. */
  charged: number;
}

/** Every day begun counts; after k of n days, floor(price × k / n) is charged (docs/ads.md). */
const usedBy = (c: Contract, at: number) => Math.min(c.days, Math.max(0, Math.ceil((at - c.startsAt) / DAY)));
const chargedFor = (c: Contract, used: number) => Math.floor((c.price * used) / c.days);
const feeOf = (itemsTotal: number) =>
  Math.max(Math.floor((itemsTotal * OPEN_LIST.basisPoints) / 10_000), OPEN_LIST.floorWon);

class Oracle {
  wallet = 0;
  held = 0;
  revenue = 0;
  belowZero = false;
  contracts: Contract[] = [];
  /** Per order: charged a fee (its won), or settled without one (refunded first, or not placed). */
  orders = new Map<number, { fee: number; refunded: boolean }>();

  private walletMoved() {
    this.belowZero = this.wallet < 0;
  }

  topUp(amount: number) {
    this.wallet += amount;
    this.walletMoved();
  }

  /** Null when refused, with the code it is refused with. */
  start(c: Omit<Contract, 'charged' | 'ended'>): string | null {
    if (this.contracts.some((o) => !o.ended && o.area === c.area && o.startsAt < c.endsAt && c.startsAt < o.endsAt))
      return 'CONFLICT';
    if (this.wallet < 0 || c.price > this.wallet) return 'INSUFFICIENT_BALANCE';
    this.wallet -= c.price;
    this.held += c.price;
    this.contracts.push({ ...c, ended: false, charged: 0 });
    return null;
  }

  private settleTo(c: Contract, used: number) {
    const due = chargedFor(c, used) - c.charged;
    c.charged += due;
    this.held -= due;
    this.revenue += due;
  }

  end(c: Contract, at: number): string | null {
    if (c.ended) return 'CONFLICT';
    this.settleTo(c, usedBy(c, at));
    const back = c.price - c.charged;
    this.held -= back;
    this.wallet += back;
    c.ended = true;
    this.walletMoved();
    return null;
  }

  settle(at: number) {
    for (const c of this.contracts) {
      if (c.ended || c.price === 0 || c.startsAt > at) continue;
      this.settleTo(c, usedBy(c, at));
      if (at >= c.endsAt) c.ended = true;
    }
  }

  deliver(order: number, itemsTotal: number, area: string, at: number) {
    if (this.orders.has(order)) return;
    const running = this.contracts.find(
      (c) => c.product === 'OPEN_LIST' && c.area === area && !c.ended && c.startsAt <= at && at < c.endsAt,
    );
    if (!running || this.belowZero) return this.orders.set(order, { fee: 0, refunded: false });
    const fee = feeOf(itemsTotal);
    this.orders.set(order, { fee, refunded: false });
    this.wallet -= fee;
    this.revenue += fee;
    this.walletMoved();
  }

  refund(order: number) {
    const known = this.orders.get(order);
    if (known?.refunded) return;
    this.orders.set(order, { fee: known?.fee ?? 0, refunded: true });
    if (!known?.fee) return;
    this.wallet += known.fee;
    this.revenue -= known.fee;
    this.walletMoved();
  }
}

const CRASH = new Error('crashed before commit');

/** Delivers an event to ads' handler as the consumer would: in a transaction, maybe crashed first, maybe twice. */
async function deliverEvent<T extends EventType>(
  type: T,
  payload: EventPayloads[T],
  times: number,
  crash: boolean,
  at = Date.now(),
): Promise<void> {
  const envelope = {
    id: randomUUID(),
    type,
    aggregateId: randomUUID(),
    version: 1,
    occurredAt: new Date(at).toISOString(),
    payload,
  } as EventEnvelope<T>;
  const handle = handlers[type] as unknown as (e: EventEnvelope<T>, tx: unknown) => Promise<void>;
  if (crash)
    await expect(
      db.$transaction(async (tx) => {
        await handle(envelope, tx);
        throw CRASH;
      }),
    ).rejects.toBe(CRASH);
  for (let i = 0; i < times; i++) await db.$transaction((tx) => handle(envelope, tx));
}

async function balance(account: string): Promise<number> {
  const [row] = await db.$queryRaw<{ total: bigint | null }[]>`
    SELECT SUM("amount")::bigint AS "total" FROM "Posting" WHERE "account" = ${account}`;
  return Number(row.total ?? 0);
}

const codeOf = (error: unknown) => (error as { extensions?: { code?: string } }).extensions?.code ?? String(error);

async function run(ops: Op[]): Promise<void> {
  const shopId = randomUUID();
  const ownerId = randomUUID();
  const owner: Identity = { userId: ownerId, role: 'OWNER' };
  // A category of its own: no other run's shop takes its ULTRA_CALL slots.
  await db.shopOwner.create({ data: { shopId, ownerId, version: 1, category: shopId } });
  const oracle = new Oracle();
  const orderIds = Array.from({ length: 4 }, () => randomUUID());

  for (const step of ops) {
    switch (step.kind) {
      case 'topUp': {
        const payload = { topUpId: randomUUID(), shopId, ownerId, amount: step.amount };
        await deliverEvent('payment.adTopUp.approved', payload, step.times, step.crash);
        oracle.topUp(step.amount);
        break;
      }
      case 'start': {
        const startsAt = step.aheadDays ? new Date(Date.now() + step.aheadDays * DAY) : null;
        const input = { shopId, product: step.product, area: step.area, days: step.days, startsAt };
        const price = step.product === 'OPEN_LIST' ? 0 : Math.floor((PER_30_DAYS[step.area] * step.days) / 30);
        let answer: string | null = null;
        let started: Awaited<ReturnType<Commands['startAdPlacement']>> | null = null;
        // The oracle decides with the period the command chose, read back; a refusal's period is now's.
        const at = startsAt?.getTime() ?? Date.now();
        try {
          started = await commands.startAdPlacement(owner, input);
        } catch (error) {
          answer = codeOf(error);
        }
        const period = started
          ? { startsAt: started.startsAt.getTime(), endsAt: started.endsAt.getTime() }
          : { startsAt: at, endsAt: at + step.days * DAY };
        const expected = oracle.start({
          id: started?.id ?? '',
          area: step.area,
          product: step.product,
          price,
          days: step.days,
          ...period,
        });
        expect([step, answer]).toEqual([step, expected]);
        if (started) expect([started.price, started.priceVersion]).toEqual([price, 2]);
        break;
      }
      case 'end': {
        const live = oracle.contracts;
        if (!live.length) break;
        const contract = live[step.pick % live.length];
        let answer: string | null = null;
        const at = Date.now();
        try {
          await commands.endAdPlacement(owner, contract.id);
        } catch (error) {
          answer = codeOf(error);
        }
        expect([step, answer]).toEqual([step, oracle.end(contract, at)]);
        break;
      }
      case 'age': {
        // Time passes for this shop's contracts: every period moves back.
        const by = step.hours * 3600_000;
        for (const c of oracle.contracts) {
          c.startsAt -= by;
          c.endsAt -= by;
        }
        await db.$executeRaw`
          UPDATE "AdCampaign" SET "startsAt" = "startsAt" - make_interval(hours => ${step.hours}),
                                  "endsAt" = "endsAt" - make_interval(hours => ${step.hours})
           WHERE "shopId" = ${shopId}`;
        break;
      }
      case 'settle': {
        const now = new Date();
        // Two clocks at once (a lost lock) post nothing twice.
        await Promise.all(Array.from({ length: step.twice ? 2 : 1 }, () => commands.settleAdDays(now)));
        oracle.settle(now.getTime());
        break;
      }
      case 'deliver': {
        const orderId = orderIds[step.order];
        const payload = {
          orderId,
          customerId: randomUUID(),
          shopId,
          shopOwnerId: ownerId,
          status: 'DELIVERED' as const,
          itemsTotal: step.itemsTotal,
          deliveryFee: 3000,
          total: step.itemsTotal + 3000,
          deliveryArea: step.area,
          reason: null,
          estimatedCookingMinutes: 20,
          paymentId: null,
        };
        const at = Date.now();
        await deliverEvent('order.delivered', payload, step.times, step.crash, at);
        oracle.deliver(step.order, step.itemsTotal, step.area, at);
        break;
      }
      case 'refund': {
        const payload = { paymentId: randomUUID(), orderId: orderIds[step.order], amount: 1 };
        await deliverEvent('payment.refunded', payload, step.times, step.crash);
        oracle.refund(step.order);
        break;
      }
    }
  }

  expect(await balance(`wallet:${shopId}`)).toBe(oracle.wallet);
  expect(await balance(`held:${shopId}`)).toBe(oracle.held);
  const revenue = await db.$queryRaw<{ total: bigint | null }[]>`
    SELECT SUM(p."amount")::bigint AS "total" FROM "Posting" p JOIN "JournalEntry" e ON e."id" = p."entryId"
     WHERE e."shopId" = ${shopId} AND p."account" LIKE 'revenue:%'`;
  expect(Number(revenue[0].total ?? 0)).toBe(oracle.revenue);
  const unbalanced = await db.$queryRaw<{ entryId: string }[]>`
    SELECT p."entryId" FROM "Posting" p JOIN "JournalEntry" e ON e."id" = p."entryId"
     WHERE e."shopId" = ${shopId} GROUP BY p."entryId" HAVING SUM(p."amount") <> 0`;
  expect(unbalanced).toEqual([]);
  expect((await db.adWallet.findUnique({ where: { shopId } }))?.belowZero ?? false).toBe(oracle.belowZero);
}

describe('ad money, against its database', () => {
  it('equals the oracle to the won after any sequence, with duplicates, reordering and crashes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 30 }), (ops) => run(ops)),
      {
        numRuns: 60,
        // Meetings worth trying every time, besides the random ones.
        examples: [
          [
            [
              { kind: 'start', area: 'MAPO', product: 'OPEN_LIST', days: 5, aheadDays: 0 },
              { kind: 'refund', order: 0, times: 1, crash: false },
              { kind: 'deliver', order: 0, itemsTotal: 50_000, area: 'MAPO', times: 1, crash: false },
              { kind: 'deliver', order: 1, itemsTotal: 2_000_000, area: 'MAPO', times: 2, crash: true },
              { kind: 'deliver', order: 2, itemsTotal: 20_000, area: 'MAPO', times: 1, crash: false },
              { kind: 'refund', order: 1, times: 2, crash: true },
            ],
          ],
          [
            [
              { kind: 'topUp', amount: 19_999, times: 1, crash: false },
              { kind: 'start', area: 'GANGNAM', product: 'ULTRA_CALL', days: 2, aheadDays: 0 },
              { kind: 'age', hours: 30 },
              { kind: 'settle', twice: true },
              { kind: 'end', pick: 0 },
            ],
          ],
        ],
      },
    );
  }, 300_000);
});

describe('ULTRA_CALL slots', () => {
  it('go to the first booked, per area and category, however many start at once', async () => {
    const shop = async (category: string) => {
      const shopId = randomUUID();
      const owner: Identity = { userId: randomUUID(), role: 'OWNER' };
      await db.shopOwner.create({ data: { shopId, ownerId: owner.userId!, version: 1, category } });
      const payload = { topUpId: randomUUID(), shopId, ownerId: owner.userId!, amount: 100_000 };
      await deliverEvent('payment.adTopUp.approved', payload, 1, false);
      return { shopId, owner };
    };
    const chicken = await Promise.all([shop('CHICKEN'), shop('CHICKEN'), shop('CHICKEN')]);
    const pizza = await shop('PIZZA');
    const start = (s: { shopId: string; owner: Identity }, startsAt: Date | null = null) =>
      commands
        .startAdPlacement(s.owner, { shopId: s.shopId, product: 'ULTRA_CALL', area: 'GANGNAM', days: 2, startsAt })
        .then(
          (c) => c,
          (error: unknown) => codeOf(error),
        );
    const answers = await Promise.all([...chicken, pizza].map((s) => start(s)));
    const refused = answers.flatMap((a, i) => (a === 'AD_SLOTS_FULL' ? [i] : []));
    // Two slots of CHICKEN in GANGNAM; PIZZA's are counted apart.
    expect(refused).toHaveLength(1);
    expect(refused[0]).toBeLessThan(3);
    expect(typeof answers[3]).toBe('object');
    const loser = chicken[refused[0]];
    // The refused shop books the slot that frees first; a minute too early is still full.
    const winners = answers.filter((a): a is Exclude<typeof a, string> => typeof a === 'object').slice(0, 2);
    const frees = Math.min(...winners.map((c) => c.endsAt.getTime()));
    expect(await start(loser, new Date(frees - 60_000))).toBe('AD_SLOTS_FULL');
    expect(await start(loser, new Date(frees))).toMatchObject({ status: 'SCHEDULED' });
    // The slots list in booking order (contracts' adRankOf): each placement event says when it was booked.
    for (const winner of winners) {
      const [published] = await db.$queryRaw<{ payload: { placements: { campaignId: string; bookedAt: string }[] } }[]>`
        SELECT "payload" FROM "OutboxEvent" WHERE "type" = 'ad.placement.changed' AND "aggregateId" = ${winner.shopId}
         ORDER BY "seq" DESC LIMIT 1`;
      expect(published.payload.placements).toEqual([
        expect.objectContaining({ campaignId: winner.id, bookedAt: winner.createdAt.toISOString() }),
      ]);
    }
  });
});
