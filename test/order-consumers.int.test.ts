import { randomUUID } from 'node:crypto';
import type { EventEnvelope, EventPayloads, OrderEventType, OrderSnapshot } from '@baedal/contracts';
import { applyBatch, applyOnce } from '@baedal/events';
import { moveOrders } from '@baedal/orders/commands';
import { replica } from '@baedal/orders/events';
import { orderPayments } from '@baedal/payments/events';
import { dropDatabase, ensureDatabase, migrate } from '@baedal/prisma';
import { createPool, rawSql, type RawDb, type RawSql } from '@baedal/prisma/clients';
import { createOrdersClient } from '@baedal/prisma/orders';
import { createPaymentsClient } from '@baedal/prisma/payments';
import { createReviewsClient, type Prisma as ReviewsPrisma } from '@baedal/prisma/reviews';
import { createShopsClient } from '@baedal/prisma/shops';
import { eligibility } from '@baedal/reviews/events';
import { projection, projectionTransaction } from '@baedal/shops/events';
import { PG_URL } from './support/stack';

type ReviewsTx = ReviewsPrisma.TransactionClient;

/*
 * The consumers of order events, fed directly: the same event delivered twice
 * has one effect, and events delivered out of order leave the right end state.
 *
 * Long on purpose: its tests share the fixtures set up above them (test/README.md).
 */

const prefix = `baedal_oc_${process.pid}`;
const services = ['orders', 'payments', 'reviews', 'shops'] as const;
let orders: ReturnType<typeof createOrdersClient>;
let payments: ReturnType<typeof createPaymentsClient>;
let reviews: ReturnType<typeof createReviewsClient>;
let shops: ReturnType<typeof createShopsClient>;
// Orders and payments apply events in driver transactions, as the workers do.
let ordersPool: ReturnType<typeof createPool>;
let paymentsPool: ReturnType<typeof createPool>;
let shopsPool: ReturnType<typeof createPool>;
let ordersSql: RawDb;
let paymentsSql: RawDb;
let shopsSql: RawDb;

beforeAll(async () => {
  for (const service of services) {
    await dropDatabase(`${prefix}_${service}`);
    await ensureDatabase(`${prefix}_${service}`);
    await migrate(service, `${PG_URL}/${prefix}_${service}`);
  }
  orders = createOrdersClient(`${PG_URL}/${prefix}_orders`, 2);
  payments = createPaymentsClient(`${PG_URL}/${prefix}_payments`, 2);
  reviews = createReviewsClient(`${PG_URL}/${prefix}_reviews`, 2);
  // The shops client and its driver share one pool, as in the workers.
  shopsPool = createPool(`${PG_URL}/${prefix}_shops`, 2);
  shops = createShopsClient(shopsPool);
  ordersPool = createPool(`${PG_URL}/${prefix}_orders`, 2);
  paymentsPool = createPool(`${PG_URL}/${prefix}_payments`, 2);
  [ordersSql, paymentsSql, shopsSql] = [rawSql(ordersPool), rawSql(paymentsPool), rawSql(shopsPool)];
}, 60_000);

afterAll(async () => {
  await Promise.all([orders, payments, reviews, shops].map((db) => db?.$disconnect()));
  await Promise.all([ordersPool, paymentsPool].map((pool) => pool?.end()));
  for (const service of services) await dropDatabase(`${prefix}_${service}`);
}, 60_000);

function orderEvent<T extends OrderEventType>(
  type: T,
  orderId: string,
  version: number,
  over: Partial<OrderSnapshot> = {},
): EventEnvelope<T> {
  const status = {
    'order.created': 'PENDING_PAYMENT',
    'order.placed': 'PLACED',
    'order.accepted': 'ACCEPTED',
    'order.rejected': 'REJECTED',
    'order.picked_up': 'PICKED_UP',
    'order.delivered': 'DELIVERED',
    'order.canceled': 'CANCELED',
    'order.expired': 'EXPIRED',
  }[type] as OrderSnapshot['status'];
  return {
    id: randomUUID(),
    type,
    version,
    occurredAt: new Date().toISOString(),
    aggregateId: orderId,
    payload: {
      orderId,
      customerId: 'c1',
      shopId: 'shop-1',
      status,
      itemsTotal: 20000,
      deliveryFee: 3000,
      total: 23000,
      deliveryArea: 'MAPO',
      reason: null,
      estimatedCookingMinutes: null,
      ...over,
    },
  } as EventEnvelope<T>;
}

const toPayments = (e: EventEnvelope) =>
  applyOnce('payments', e, orderPayments, (work) => paymentsSql.$transaction(work));
const toReviews = (e: EventEnvelope) =>
  applyOnce<EventPayloads, ReviewsTx>('reviews', e, eligibility, (work) => reviews.$transaction(work));
const toShops = (e: EventEnvelope) => applyOnce('shops', e, projection, projectionTransaction(shops, shopsSql));

describe('payments', () => {
  it('records one payment for a placed order delivered twice, and refunds it once when canceled twice', async () => {
    const orderId = randomUUID();
    const placed = orderEvent('order.placed', orderId, 2);
    const canceled = orderEvent('order.canceled', orderId, 3, { reason: '고객 요청' });
    for (const e of [orderEvent('order.created', orderId, 1), placed, placed, canceled, canceled]) await toPayments(e);
    expect(await payments.payment.findMany({ where: { orderId } })).toEqual([
      expect.objectContaining({ amount: 23000, status: 'REFUNDED' }),
    ]);
    expect(await payments.refund.findMany({ where: { orderId } })).toEqual([
      expect.objectContaining({ amount: 23000, reason: '고객 요청' }),
    ]);
  });

  it('charges nothing when the cancel arrives before the placement', async () => {
    const orderId = randomUUID();
    for (const e of [
      orderEvent('order.canceled', orderId, 3),
      orderEvent('order.placed', orderId, 2),
      orderEvent('order.created', orderId, 1),
    ])
      await toPayments(e);
    expect(await payments.payment.count({ where: { orderId } })).toBe(0);
    expect(await payments.refund.count({ where: { orderId } })).toBe(0);
    expect(await payments.orderLedger.findUniqueOrThrow({ where: { orderId } })).toMatchObject({
      version: 3,
      canceled: true,
    });
  });

  it('refunds a paid order the shop rejects', async () => {
    const orderId = randomUUID();
    for (const e of [
      orderEvent('order.placed', orderId, 2),
      orderEvent('order.rejected', orderId, 3, { reason: '재료 소진' }),
    ])
      await toPayments(e);
    expect((await payments.payment.findFirstOrThrow({ where: { orderId } })).status).toBe('REFUNDED');
    expect(await payments.refund.count({ where: { orderId } })).toBe(1);
  });

  it('refunds a payment orders refused once, however often payment.refused comes', async () => {
    const orderId = randomUUID();
    await toPayments(orderEvent('order.placed', orderId, 2));
    const payment = await payments.payment.findFirstOrThrow({ where: { orderId } });
    const refused: EventEnvelope<'payment.refused'> = {
      id: randomUUID(),
      type: 'payment.refused',
      version: 2,
      occurredAt: new Date().toISOString(),
      aggregateId: payment.id,
      payload: {
        paymentId: payment.id,
        orderId,
        customerId: 'c1',
        amount: payment.amount,
        discount: 0,
        total: 24000,
        reason: 'the payment covers 23000 won',
      },
    };
    for (const e of [refused, refused, { ...refused, id: randomUUID() }]) await toPayments(e);
    expect((await payments.payment.findUniqueOrThrow({ where: { id: payment.id } })).status).toBe('REFUNDED');
    expect(await payments.refund.findMany({ where: { orderId } })).toEqual([
      expect.objectContaining({ amount: 23000, reason: 'orders refused it: the payment covers 23000 won' }),
    ]);
  });
});

describe('reviews', () => {
  it('makes a delivered order reviewable once, however often the event comes', async () => {
    const orderId = randomUUID();
    const delivered = orderEvent('order.delivered', orderId, 5);
    expect([await toReviews(delivered), await toReviews(delivered)]).toEqual(['applied', 'duplicate']);
    expect(await reviews.reviewableOrder.findMany({ where: { orderId } })).toEqual([
      expect.objectContaining({ customerId: 'c1', shopId: 'shop-1' }),
    ]);
  });
});

describe('shops popularity', () => {
  it('counts each placed order once', async () => {
    const first = orderEvent('order.placed', randomUUID(), 2);
    const second = orderEvent('order.placed', randomUUID(), 2);
    for (const e of [first, second, first, second, first]) await toShops(e);
    expect((await shops.shopView.findUniqueOrThrow({ where: { shopId: 'shop-1' } })).orderCount).toBe(2);
  });
});

describe('shops popularity', () => {
  it('counts a batch of placed orders in one step, each once', async () => {
    const placed = [
      orderEvent('order.placed', randomUUID(), 2, { shopId: 'shop-2' }),
      orderEvent('order.placed', randomUUID(), 2, { shopId: 'shop-3' }),
      orderEvent('order.placed', randomUUID(), 2, { shopId: 'shop-2' }),
    ];
    const toShopsAtOnce = (events: EventEnvelope[]) =>
      applyBatch('shops', events, projection, projectionTransaction(shops, shopsSql));
    expect(await toShopsAtOnce([placed[0], placed[1]])).toEqual(['applied', 'applied']);
    expect(await toShopsAtOnce([placed[1], placed[2], placed[0]])).toEqual(['duplicate', 'applied', 'duplicate']);
    const counts = await shops.shopView.findMany({
      where: { shopId: { in: ['shop-2', 'shop-3'] } },
      orderBy: { shopId: 'asc' },
    });
    expect(counts.map((v) => [v.shopId, v.orderCount])).toEqual([
      ['shop-2', 2],
      ['shop-3', 1],
    ]);
  });

  it("applies a batch of placed orders alone in a driver transaction, and a batch with a shop's own events in Prisma's", async () => {
    const used: string[] = [];
    const prisma = {
      $transaction: (work: never) => (used.push('prisma'), shops.$transaction(work)),
    } as unknown as typeof shops;
    const driver: RawDb = { ...shopsSql, $transaction: (work) => (used.push('driver'), shopsSql.$transaction(work)) };
    const inWorkers = (events: EventEnvelope[]) =>
      applyBatch('shops', events, projection, projectionTransaction(prisma, driver));

    expect(
      await inWorkers([
        orderEvent('order.placed', randomUUID(), 2, { shopId: 'shop-4' }),
        orderEvent('order.placed', randomUUID(), 2, { shopId: 'shop-4' }),
      ]),
    ).toEqual(['applied', 'applied']);
    expect(used).toEqual(['driver']);
    // The shop's terms need Prisma's client (a driver transaction has no models), so the whole batch runs in Prisma's.
    const shopId = randomUUID();
    const registered: EventEnvelope<'shop.registered'> = {
      id: randomUUID(),
      type: 'shop.registered',
      version: 1,
      occurredAt: new Date().toISOString(),
      aggregateId: shopId,
      payload: {
        shopId,
        ownerId: 'owner',
        name: '치킨공방',
        category: 'CHICKEN',
        description: '',
        minimumOrder: 0,
        deliveryFee: 0,
        deliveryAreas: ['MAPO'],
        openingHours: [],
        isOpen: true,
      },
    };
    expect(await inWorkers([registered, orderEvent('order.placed', randomUUID(), 2, { shopId })])).toEqual([
      'applied',
      'applied',
    ]);
    expect(used).toEqual(['driver', 'prisma']);
    const views = await shops.shopView.findMany({
      where: { shopId: { in: ['shop-4', shopId] } },
      orderBy: { orderCount: 'desc' },
    });
    expect(views.map((v) => [v.shopId, v.name, v.orderCount])).toEqual([
      ['shop-4', '', 2],
      [shopId, '치킨공방', 1],
    ]);
  });
});

describe('orders: the replica of shops and menus', () => {
  it('keeps the newest terms and menu whatever order their events arrive in; a menu before its shop waits, closed', async () => {
    const shopId = randomUUID();
    const hours = [{ day: 1, opens: '10:00', closes: '22:00' }];
    const info = (over: Record<string, unknown>) => ({
      shopId,
      ownerId: 'o1',
      name: '피자',
      category: 'PIZZA',
      description: '',
      minimumOrder: 12000,
      deliveryFee: 2000,
      deliveryAreas: ['MAPO'],
      openingHours: hours,
      isOpen: true,
      ...over,
    });
    const menu = (price: number) => ({
      shopId,
      groups: [
        {
          id: 'g1',
          name: '피자',
          items: [
            {
              id: `${shopId}-1`,
              name: '콤비네이션',
              description: '',
              price,
              soldOut: false,
              optionGroups: [
                { id: 'o', name: '크기', minSelect: 0, maxSelect: 1, options: [{ id: 'l', name: 'L', price: 3000 }] },
              ],
            },
          ],
        },
      ],
    });
    const shopEvent = (type: string, version: number, payload: unknown) =>
      ({
        id: randomUUID(),
        type,
        version,
        occurredAt: new Date().toISOString(),
        aggregateId: shopId,
        payload,
      }) as EventEnvelope;
    const toOrders = (events: EventEnvelope[]) =>
      applyBatch('orders', events, replica, (work) => ordersSql.$transaction(work));

    await toOrders([shopEvent('menu.updated', 3, menu(21000))]);
    expect(await orders.shopReplica.findUniqueOrThrow({ where: { shopId } })).toMatchObject({
      isOpen: false,
      version: 0,
      menuVersion: 3,
    });

    await toOrders([
      shopEvent('shop.updated', 2, info({ name: '피자마루', deliveryAreas: ['MAPO', 'SONGPA'] })),
      shopEvent('shop.registered', 1, info({ name: '옛 이름' })),
      shopEvent('menu.updated', 2, menu(19000)),
    ]);
    expect(await orders.shopReplica.findUniqueOrThrow({ where: { shopId } })).toMatchObject({
      name: '피자마루',
      version: 2,
      menuVersion: 3,
      isOpen: true,
      minimumOrder: 12000,
      deliveryAreas: ['MAPO', 'SONGPA'],
      openingHours: hours,
    });
    const items = await orders.menuItemReplica.findMany({ where: { shopId } });
    expect(items).toEqual([
      {
        menuItemId: `${shopId}-1`,
        shopId,
        name: '콤비네이션',
        price: 21000,
        soldOut: false,
        version: 3,
        optionGroups: menu(21000).groups[0].items[0].optionGroups,
      },
    ]);

    await toOrders([shopEvent('menu.updated', 4, menu(22000))]);
    expect((await orders.menuItemReplica.findMany({ where: { shopId } })).map((i) => [i.price, i.version])).toEqual([
      [22000, 4],
    ]);
  });
});

describe('orders: payment outcomes', () => {
  const waitingOrder = async (status: 'PENDING_PAYMENT' | 'CANCELED' = 'PENDING_PAYMENT') => {
    const id = randomUUID();
    await orders.order.create({
      data: {
        id,
        customerId: 'c1',
        shopId: 'shop-1',
        shopOwnerId: 'o1',
        shopName: '가게',
        status,
        itemsTotal: 20000,
        deliveryFee: 3000,
        total: 23000,
        deliveryAddress: '서울',
        deliveryArea: 'MAPO',
        idempotencyKey: id,
        version: 1,
      },
    });
    return id;
  };
  const approved = (orderId: string): EventEnvelope<'payment.approved'> => ({
    id: randomUUID(),
    type: 'payment.approved',
    version: 1,
    occurredAt: new Date().toISOString(),
    aggregateId: randomUUID(),
    payload: {
      paymentId: randomUUID(),
      orderId,
      customerId: 'c1',
      amount: 23000,
      discount: 0,
      provider: 'A',
      reason: null,
    },
  });
  const toOrdersAtOnce = (events: EventEnvelope[]) =>
    applyBatch('orders', events, replica, (work) => ordersSql.$transaction(work));

  it('places the waiting orders of a batch of approvals in one step, and leaves a canceled order and a second approval alone', async () => {
    const [first, second, canceled] = [await waitingOrder(), await waitingOrder(), await waitingOrder('CANCELED')];
    const events = [approved(first), approved(canceled), approved(second), approved(first)];
    expect(await toOrdersAtOnce(events)).toEqual(['applied', 'applied', 'applied', 'applied']);

    const after = new Map(
      (await orders.order.findMany({ where: { id: { in: [first, second, canceled] } } })).map((o) => [o.id, o]),
    );
    expect(after.get(first)).toMatchObject({ status: 'PLACED', version: 2, paymentId: events[0].payload.paymentId });
    expect(after.get(second)).toMatchObject({ status: 'PLACED', version: 2, paymentId: events[2].payload.paymentId });
    expect(after.get(canceled)).toMatchObject({ status: 'CANCELED', version: 1, paymentId: null });
    const history = await orders.orderStatusChange.findMany({ where: { orderId: { in: [first, second, canceled] } } });
    expect(history.map((h) => [h.orderId, h.status, h.actorId]).sort()).toEqual(
      [
        [first, 'PLACED', null],
        [second, 'PLACED', null],
      ].sort(),
    );
    // The outbox announces each placed order once, in the order of the approvals, at the order's version.
    const announced = await orders.outboxEvent.findMany({
      where: { aggregateId: { in: [first, second, canceled] } },
      orderBy: { seq: 'asc' },
    });
    expect(announced.map((e) => [e.type, e.aggregateId, e.version])).toEqual([
      ['order.placed', first, 2],
      ['order.placed', second, 2],
    ]);
    expect(announced[0].payload).toMatchObject({
      orderId: first,
      status: 'PLACED',
      paymentId: events[0].payload.paymentId,
      total: 23000,
    });
  });

  it('moves one order twice in one call in the order given, with its history and events in that order', async () => {
    const orderId = await waitingOrder();
    const answers = await ordersSql.$transaction((tx) =>
      moveOrders(tx, [
        { orderId, transition: 'pay', actor: 'SYSTEM', actorId: null, paymentId: 'p-1' },
        { orderId, transition: 'accept', actor: 'SHOP_OWNER', actorId: 'o1', estimatedCookingMinutes: 25 },
        { orderId, transition: 'pay', actor: 'SYSTEM', actorId: null, paymentId: 'p-2' },
      ]),
    );
    expect(answers.map((a) => ('status' in a ? [a.status, a.version] : (a as { code: string }).code))).toEqual([
      ['PLACED', 2],
      ['ACCEPTED', 3],
      'ORDER_STATE_CONFLICT',
    ]);
    expect(await orders.order.findUniqueOrThrow({ where: { id: orderId } })).toMatchObject({
      status: 'ACCEPTED',
      version: 3,
      paymentId: 'p-1',
      estimatedCookingMinutes: 25,
    });
    const history = await orders.orderStatusChange.findMany({
      where: { orderId },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
    });
    expect(history.map((h) => [h.status, h.actorId])).toEqual([
      ['PLACED', null],
      ['ACCEPTED', 'o1'],
    ]);
    const announced = await orders.outboxEvent.findMany({ where: { aggregateId: orderId }, orderBy: { seq: 'asc' } });
    expect(announced.map((e) => [e.type, e.version])).toEqual([
      ['order.placed', 2],
      ['order.accepted', 3],
    ]);
    // Each event describes the order as that step left it.
    expect(announced.map((e) => e.payload)).toEqual([
      expect.objectContaining({
        orderId,
        status: 'PLACED',
        paymentId: 'p-1',
        estimatedCookingMinutes: null,
        total: 23000,
      }),
      expect.objectContaining({
        orderId,
        status: 'ACCEPTED',
        paymentId: 'p-1',
        estimatedCookingMinutes: 25,
        total: 23000,
      }),
    ]);
  });

  it("pays for nothing with a payment that is not the order's total or customer: the order is flagged, payment.refused published", async () => {
    const [short, stranger, fits] = [await waitingOrder(), await waitingOrder(), await waitingOrder()];
    const shortPaid = approved(short);
    shortPaid.payload.amount = 1;
    const strangers = approved(stranger);
    strangers.payload.customerId = 'c2';
    const events = [shortPaid, strangers, approved(fits)];
    expect(await toOrdersAtOnce(events)).toEqual(['applied', 'applied', 'applied']);

    const after = new Map(
      (await orders.order.findMany({ where: { id: { in: [short, stranger, fits] } } })).map((o) => [o.id, o]),
    );
    expect(after.get(short)).toMatchObject({
      status: 'PENDING_PAYMENT',
      version: 1,
      paymentId: null,
      flag: 'payment refused: the payment covers 1 won (1 charged, 0 discount), the order costs 23000 won',
    });
    expect(after.get(stranger)).toMatchObject({
      status: 'PENDING_PAYMENT',
      flag: expect.stringMatching(/another customer/),
    });
    expect(after.get(fits)).toMatchObject({ status: 'PLACED', flag: null });
    const refusals = await orders.outboxEvent.findMany({
      where: { type: 'payment.refused', aggregateId: { in: events.map((e) => e.payload.paymentId) } },
    });
    expect(
      refusals
        .map((e) => e.payload)
        .sort((a, b) => ((a as { orderId: string }).orderId < (b as { orderId: string }).orderId ? -1 : 1)),
    ).toEqual(
      [
        { ...shortPaid.payload, total: 23000, reason: expect.stringMatching(/covers 1 won/) },
        { ...strangers.payload, total: 23000, reason: expect.stringMatching(/another customer/) },
      ]
        .map(({ provider: _p, reason, ...rest }) => ({ ...rest, reason }))
        .sort((a, b) => (a.orderId < b.orderId ? -1 : 1)),
    );
  });

  it('refuses a batch that names an order orders has never seen, with nothing written', async () => {
    const waiting = await waitingOrder();
    await expect(toOrdersAtOnce([approved(waiting), approved(randomUUID())])).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND' },
    });
    expect(await orders.order.findUniqueOrThrow({ where: { id: waiting } })).toMatchObject({
      status: 'PENDING_PAYMENT',
      version: 1,
    });
    expect(await orders.outboxEvent.count({ where: { aggregateId: waiting } })).toBe(0);
  });
});

describe('payments: a batch of order events', () => {
  it("advances each order's ledger in one step, ignores an older event, and records a payment only for a development-switch order", async () => {
    const [devOrder, paidOrder, late] = [randomUUID(), randomUUID(), randomUUID()];
    await toPayments(orderEvent('order.placed', late, 2, { total: 9000, paymentId: 'p-late' }));
    const batch = [
      orderEvent('order.created', devOrder, 1),
      orderEvent('order.created', paidOrder, 1, { total: 15000 }),
      orderEvent('order.created', late, 1, { total: 1 }),
      orderEvent('order.placed', devOrder, 2),
      orderEvent('order.placed', paidOrder, 2, { total: 15000, paymentId: 'p-paid' }),
    ];
    expect(await applyBatch('payments', batch, orderPayments, (work) => paymentsSql.$transaction(work))).toEqual(
      batch.map(() => 'applied'),
    );
    const ledgers = await payments.orderLedger.findMany({ where: { orderId: { in: [devOrder, paidOrder, late] } } });
    expect(new Map(ledgers.map((l) => [l.orderId, [l.version, l.total, l.canceled]]))).toEqual(
      new Map([
        [devOrder, [2, 23000, false]],
        [paidOrder, [2, 15000, false]],
        [late, [2, 9000, false]],
      ]),
    );
    expect(await payments.payment.findMany({ where: { orderId: { in: [devOrder, paidOrder, late] } } })).toEqual([
      expect.objectContaining({ orderId: devOrder, method: 'DEV_AUTO_APPROVED', amount: 23000, status: 'APPROVED' }),
    ]);
  });

  it('applies batches of the same orders in two workers at once without a deadlock, whatever their order', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    // Each batch waits after its first ledger statement until the other has run its own (or 300 ms): if a batch locked
    // its ledgers in more than one statement, the two would each hold one and wait for the other's.
    let arrived = 0;
    const bothArrived = new Promise<void>((resolve) => {
      const check = setInterval(() => arrived >= 2 && (clearInterval(check), resolve()), 5);
      setTimeout(() => (clearInterval(check), resolve()), 300);
    });
    const pausing = (tx: RawSql): RawSql => {
      let first = true;
      const wrap = <F extends (query: string, ...values: unknown[]) => Promise<unknown>>(call: F) =>
        (async (query: string, ...values: unknown[]) => {
          const result = await call(query, ...values);
          if (first && query.includes('INSERT INTO "OrderLedger"')) {
            first = false;
            arrived++;
            await bothArrived;
          }
          return result;
        }) as F;
      return {
        $queryRawUnsafe: wrap(tx.$queryRawUnsafe.bind(tx)),
        $executeRawUnsafe: wrap(tx.$executeRawUnsafe.bind(tx)),
      };
    };
    const inWorker = (events: EventEnvelope[]) =>
      applyBatch('payments', events, orderPayments, (work) => paymentsSql.$transaction((tx) => work(pausing(tx))));
    const results = await Promise.all([
      inWorker([orderEvent('order.created', a, 1), orderEvent('order.placed', b, 2, { paymentId: 'p' })]),
      inWorker([orderEvent('order.created', b, 1), orderEvent('order.placed', a, 2, { paymentId: 'p' })]),
    ]);
    expect(results).toEqual([
      ['applied', 'applied'],
      ['applied', 'applied'],
    ]);
    const ledgers = await payments.orderLedger.findMany({ where: { orderId: { in: [a, b] } } });
    expect(ledgers.map((l) => l.version)).toEqual([2, 2]);
  });

  it('applies two events of one order in one run one after the other', async () => {
    const orderId = randomUUID();
    const twice = [
      orderEvent('order.created', orderId, 3, { total: 3 }),
      orderEvent('order.created', orderId, 4, { total: 4 }),
    ];
    expect(await applyBatch('payments', twice, orderPayments, (work) => paymentsSql.$transaction(work))).toEqual([
      'applied',
      'applied',
    ]);
    expect(await payments.orderLedger.findUniqueOrThrow({ where: { orderId } })).toMatchObject({
      version: 4,
      total: 4,
    });
  });
});
