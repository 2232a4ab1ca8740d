import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { isOpenAt, parseOpeningHours, signOrderCharge } from '@baedal/contracts';
import { issueToken } from '@baedal/platform';
import { createOrdersClient } from '@baedal/prisma/orders';
import { createPaymentsClient } from '@baedal/prisma/payments';
import { createShopsClient } from '@baedal/prisma/shops';
import { bearer, codes, gatewayMetrics, graphql, type GraphQLResponse, login } from './support/graphql';
import { eventually, startTestPlatform, type TestPlatform } from './support/stack';

/*
 * Payments through the gateway against the two provider simulators: approval,
 * decline, failover, total outage, a crash after the provider approved, a
 * second charge after a timeout, refunds; and first-come-first-served coupons,
 * including a 20,000-claim burst against a stock of 1,000.
 *
 * Long on purpose: its tests share the fixtures set up above them (test/README.md).
 */

const BASE = 14600;
let platform: TestPlatform;
let url: string;
let shopsDb: ReturnType<typeof createShopsClient>;
let ordersDb: ReturnType<typeof createOrdersClient>;
let paymentsDb: ReturnType<typeof createPaymentsClient>;
let customer: { token: string; userId: string };
let admin: { token: string; userId: string };
let shop: { id: string; area: string; items: { id: string; price: number }[]; minimumOrder: number };

const provider = (which: 'A' | 'B') => `http://127.0.0.1:${BASE + (which === 'A' ? 7 : 8)}`;
async function control(which: 'A' | 'B', settings: Record<string, unknown>) {
  await fetch(`${provider(which)}/control`, { method: 'POST', body: JSON.stringify(settings) });
}
async function stats(which: 'A' | 'B'): Promise<{
  authorizations: { key: string; status: string; transactionId: string; refunded: boolean }[];
  refunds: { transactionId: string }[];
}> {
  return (await fetch(`${provider(which)}/stats`)).json() as never;
}
const healthy = { outage: false, latencyMs: 0, errorRate: 0, answerDelayMs: 0 };

const PAY = `mutation($orderId: ID!, $key: String!, $coupon: ID, $token: String) {
  payOrder(orderId: $orderId, method: CARD, couponClaimId: $coupon, idempotencyKey: $key, paymentToken: $token) { id status amount discount provider declineReason history { kind provider } }
}`;

async function placeOrder(quantity = 0, who = customer): Promise<{ id: string; total: number; paymentToken: string }> {
  const item = shop.items[0];
  const response = await graphql(
    url,
    'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status total paymentToken } }',
    {
      input: {
        shopId: shop.id,
        items: [{ menuItemId: item.id, quantity: quantity || Math.max(1, Math.ceil(shop.minimumOrder / item.price)) }],
        deliveryAddress: '서울시 강남구 1',
        deliveryArea: shop.area,
        idempotencyKey: randomUUID(),
      },
    },
    bearer(who.token),
  );
  if (!response.data?.placeOrder) throw new Error(JSON.stringify(response.errors));
  expect(response.data.placeOrder.status).toBe('PENDING_PAYMENT');
  return response.data.placeOrder;
}

const orderStatus = async (id: string) => (await ordersDb.order.findUniqueOrThrow({ where: { id } })).status;
const pay = (orderId: string, key: string = randomUUID(), coupon: string | null = null, who = customer) =>
  graphql(url, PAY, { orderId, key, coupon }, bearer(who.token));

/**
 * Sends `requests` while `table` is locked against writes: the service's first writes wait in Postgres and
 * the rest gather behind them in its batcher, so once the lock goes they are written together.
 */
async function gathered<T>(
  db: ReturnType<typeof createOrdersClient> | ReturnType<typeof createPaymentsClient>,
  table: string,
  requests: () => Promise<T>[],
): Promise<T[]> {
  let answers!: Promise<T[]>;
  await (db as ReturnType<typeof createOrdersClient>).$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(`LOCK TABLE "${table}" IN EXCLUSIVE MODE`);
      answers = Promise.all(requests());
      const waiting = async () =>
        (
          await tx.$queryRawUnsafe<{ n: number }[]>(
            `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
          )
        )[0].n;
      await eventually('writes to wait for the lock', async () => (await waiting()) > 0);
      // Time for the other requests to reach the service and queue behind the waiting writes.
      await new Promise((resolve) => setTimeout(resolve, 300));
    },
    { timeout: 20_000 },
  );
  return answers;
}

/** Requests the gateway has sent to `subgraph` with gathered commands, and the commands they carried (its metrics). */
async function gatheredSoFar(subgraph: string): Promise<{ requests: number; commands: number }> {
  const text = await gatewayMetrics(url);
  const read = (what: string) =>
    Number(
      new RegExp(`^baedal_gathered_commands_${what}\\{subgraph="${subgraph}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0,
    );
  return { requests: read('count'), commands: read('sum') };
}

beforeAll(async () => {
  platform = await startTestPlatform('payments', BASE, 60, {
    ORDERS_AUTO_APPROVE_PAYMENT: 'false',
    PROVIDER_TIMEOUT_MS: '500',
    PROVIDER_BREAKER_VOLUME: '20',
    PAYMENTS_RECONCILE_MS: '1000',
  });
  url = platform.gatewayUrl;
  shopsDb = createShopsClient(platform.databaseUrl('shops'), 2);
  ordersDb = createOrdersClient(platform.databaseUrl('orders'), 2);
  paymentsDb = createPaymentsClient(platform.databaseUrl('payments'), 3);
  [customer, admin] = await Promise.all([login(url, 'customer1@baedal.dev'), login(url, 'admin@baedal.dev')]);
  const owner = await shopsDb.account.findUniqueOrThrow({ where: { email: 'owner1@baedal.dev' } });
  const shops = await shopsDb.shop.findMany({
    where: { ownerId: owner.id },
    include: { menuItems: { where: { soldOut: false }, orderBy: { price: 'desc' } } },
  });
  const open = shops.find(
    (s) => isOpenAt(parseOpeningHours(s.openingHours), !s.isOpen, new Date()) && s.menuItems.length,
  )!;
  shop = {
    id: open.id,
    area: open.deliveryAreas[0],
    items: open.menuItems.map((i) => ({ id: i.id, price: i.price })),
    minimumOrder: open.minimumOrder,
  };
}, 180_000);

afterEach(async () => {
  await control('A', healthy);
  await control('B', healthy);
});

afterAll(async () => {
  await Promise.all([shopsDb, ordersDb, paymentsDb].map((db) => db?.$disconnect()));
  await platform?.stop();
}, 60_000);

describe('payOrder', () => {
  it('authorizes with the primary provider, places the order, and answers a repeated key with the same payment', async () => {
    const order = await placeOrder();
    const key = randomUUID();
    const paid = await pay(order.id, key);
    expect(paid.errors).toBeUndefined();
    expect(paid.data.payOrder).toMatchObject({
      status: 'APPROVED',
      amount: order.total,
      discount: 0,
      provider: 'provider-a',
    });
    expect(paid.data.payOrder.history.map((h: any) => h.kind)).toEqual(['REQUESTED', 'APPROVED']);
    await eventually('the order to be placed', async () => (await orderStatus(order.id)) === 'PLACED');

    const again = await pay(order.id, key);
    expect(again.data.payOrder.id).toBe(paid.data.payOrder.id);
    expect((await stats('A')).authorizations.filter((a) => a.key === paid.data.payOrder.id)).toHaveLength(1);
    expect(codes(await pay(order.id))).toEqual(['CONFLICT']); // a second payment of a paid order
  });

  it('refuses other customers, unknown orders and bad input', async () => {
    const order = await placeOrder();
    const other = await login(url, 'customer2@baedal.dev');
    expect(codes(await pay(order.id, randomUUID(), null, other))).toEqual(['FORBIDDEN']);
    expect(codes(await graphql(url, PAY, { orderId: order.id, key: randomUUID() }))).toEqual(['UNAUTHENTICATED']);
    expect(codes(await pay('no-such-order'))).toEqual(['NOT_FOUND']);
    expect(codes(await pay(order.id, ''))).toEqual(['BAD_USER_INPUT']);
    expect(await paymentsDb.payment.count({ where: { orderId: order.id } })).toBe(0);
  });

  it("knows the demo data's orders as paid: paying one again is a CONFLICT, at once", async () => {
    const seeded = await ordersDb.order.findFirstOrThrow({
      where: { status: 'DELIVERED', idempotencyKey: { startsWith: 'seed-' } },
    });
    const answer = await pay(seeded.id, randomUUID(), null, {
      token: issueToken({ id: seeded.customerId, role: 'CUSTOMER' }),
      userId: seeded.customerId,
    });
    expect(codes(answer)).toEqual(['CONFLICT']);
    expect(answer.errors?.[0].message).toMatch(/already paid/);
  });

  it("pays at once with the order's paymentToken, before payments has heard of the order", async () => {
    await platform.stack.stop('workers');
    try {
      const order = await placeOrder();
      expect(await paymentsDb.orderLedger.count({ where: { orderId: order.id } })).toBe(0);
      const paid = await graphql(
        url,
        PAY,
        { orderId: order.id, key: randomUUID(), token: order.paymentToken },
        bearer(customer.token),
      );
      expect(paid.errors).toBeUndefined();
      expect(paid.data.payOrder).toMatchObject({ status: 'APPROVED', amount: order.total });
      // The ledger row came from the token (version 0): no order event has been consumed.
      expect(await paymentsDb.orderLedger.findUniqueOrThrow({ where: { orderId: order.id } })).toMatchObject({
        total: order.total,
        version: 0,
        canceled: false,
      });
    } finally {
      await platform.stack.restart('workers');
    }
  });

  it('refuses a forged paymentToken or one of another order, writing nothing; the token is only for the paying customer', async () => {
    const [first, second] = [await placeOrder(), await placeOrder()];
    const payWith = (orderId: string, token: string) =>
      graphql(url, PAY, { orderId, key: randomUUID(), token }, bearer(customer.token));
    expect(codes(await payWith(second.id, first.paymentToken))).toEqual(['BAD_USER_INPUT']);
    const [head, , signature] = first.paymentToken.split('.');
    const cheaper = `${head}.${Buffer.from(JSON.stringify({ customerId: customer.userId, total: 1, sub: first.id })).toString('base64url')}.${signature}`;
    expect(codes(await payWith(first.id, cheaper))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await payWith(first.id, 'not-a-token'))).toEqual(['BAD_USER_INPUT']);
    expect(await paymentsDb.payment.count({ where: { orderId: { in: [first.id, second.id] } } })).toBe(0);

    const other = await login(url, 'customer2@baedal.dev');
    const ORDER = 'query($id: ID!) { order(id: $id) { paymentToken } }';
    expect((await graphql(url, ORDER, { id: first.id }, bearer(admin.token))).data.order.paymentToken).toBeNull();
    expect(codes(await graphql(url, ORDER, { id: first.id }, bearer(other.token)))).toEqual(['FORBIDDEN']);
    expect((await graphql(url, ORDER, { id: first.id }, bearer(customer.token))).data.order.paymentToken).toEqual(
      expect.any(String),
    );
    expect((await payWith(first.id, first.paymentToken)).data.payOrder.status).toBe('APPROVED');
    await eventually('the order to be placed', async () => (await orderStatus(first.id)) === 'PLACED');
    expect((await graphql(url, ORDER, { id: first.id }, bearer(customer.token))).data.order.paymentToken).toBeNull();
  });

  it('checks the money of a signed charge that lies: payments against its ledger, orders against the order', async () => {
    // Signed with the charge secret, as if it had leaked: each side still checks what it knows.
    const lying = (orderId: string, total: number, customerId = customer.userId) =>
      signOrderCharge({ orderId, customerId, total });
    const known = await placeOrder();
    await eventually(
      'payments to know the order',
      async () => (await paymentsDb.orderLedger.count({ where: { orderId: known.id, version: { gt: 0 } } })) === 1,
    );
    const short = await graphql(
      url,
      PAY,
      { orderId: known.id, key: randomUUID(), token: lying(known.id, 1) },
      bearer(customer.token),
    );
    expect(short.errors?.[0]).toMatchObject({
      message: `paymentToken says the order costs 1 won; it costs ${known.total} won`,
      extensions: { code: 'BAD_USER_INPUT', field: 'paymentToken' },
    });
    const other = await login(url, 'customer2@baedal.dev');
    const theirs = await graphql(
      url,
      PAY,
      { orderId: known.id, key: randomUUID(), token: lying(known.id, known.total, other.userId) },
      bearer(other.token),
    );
    expect(codes(theirs)).toEqual(['FORBIDDEN']);
    expect(await paymentsDb.payment.count({ where: { orderId: known.id } })).toBe(0);

    // Before payments has heard of an order, only orders can tell: it refuses the payment and payments refunds it.
    await platform.stack.stop('workers');
    let unknown: Awaited<ReturnType<typeof placeOrder>>;
    let paid: GraphQLResponse;
    try {
      unknown = await placeOrder();
      paid = await graphql(
        url,
        PAY,
        { orderId: unknown.id, key: randomUUID(), token: lying(unknown.id, 1) },
        bearer(customer.token),
      );
      expect(paid.data.payOrder).toMatchObject({ status: 'APPROVED', amount: 1 });
    } finally {
      await platform.stack.restart('workers');
    }
    const paymentId = paid.data.payOrder.id as string;
    await eventually(
      'the refused payment to be refunded',
      async () => (await paymentsDb.payment.findUniqueOrThrow({ where: { id: paymentId } })).status === 'REFUNDED',
    );
    expect(await ordersDb.order.findUniqueOrThrow({ where: { id: unknown.id } })).toMatchObject({
      status: 'PENDING_PAYMENT',
      paymentId: null,
      flag: `payment refused: the payment covers 1 won (1 charged, 0 discount), the order costs ${unknown.total} won`,
    });
    // The order's events corrected the ledger the lying charge opened.
    expect(await paymentsDb.orderLedger.findUniqueOrThrow({ where: { orderId: unknown.id } })).toMatchObject({
      total: unknown.total,
      customerId: customer.userId,
    });
  });

  it('declines with a clear reason, publishes payment.declined, and leaves the order waiting', async () => {
    const price = shop.items[0].price;
    const order = await placeOrder(Math.min(99, Math.ceil(510_000 / price)));
    expect(order.total).toBeGreaterThan(500_000);
    const declined = await pay(order.id);
    expect(codes(declined)).toEqual(['PAYMENT_DECLINED']);
    expect(declined.errors?.[0].message).toContain('limit');
    const payment = await paymentsDb.payment.findFirstOrThrow({ where: { orderId: order.id } });
    expect(payment).toMatchObject({ status: 'DECLINED', declineReason: 'The card limit is exceeded' });
    expect(await paymentsDb.outboxEvent.count({ where: { type: 'payment.declined', aggregateId: payment.id } })).toBe(
      1,
    );
    expect(await orderStatus(order.id)).toBe('PENDING_PAYMENT');
  });

  it('goes to the secondary provider while the primary is down', async () => {
    await control('A', { outage: true });
    const order = await placeOrder();
    const paid = await pay(order.id);
    expect(paid.data.payOrder).toMatchObject({ status: 'APPROVED', provider: 'provider-b' });
    expect(paid.data.payOrder.history).toEqual(
      expect.arrayContaining([{ kind: 'PROVIDER_FAILED', provider: 'provider-a' }]),
    );
    await eventually('the order to be placed', async () => (await orderStatus(order.id)) === 'PLACED');
  });

  it('with both providers down: PAYMENT_PROVIDER_UNAVAILABLE and nothing charged', async () => {
    await control('A', { outage: true });
    await control('B', { outage: true });
    const order = await placeOrder();
    const refused = await pay(order.id);
    expect(codes(refused)).toEqual(['PAYMENT_PROVIDER_UNAVAILABLE']);
    const payment = await paymentsDb.payment.findFirstOrThrow({ where: { orderId: order.id } });
    expect(payment.status).toBe('FAILED');
    await control('A', healthy);
    await control('B', healthy);
    for (const which of ['A', 'B'] as const)
      expect((await stats(which)).authorizations.some((a) => a.key === payment.id)).toBe(false);
    expect(await orderStatus(order.id)).toBe('PENDING_PAYMENT');
  });

  it('charges once when the payments service crashes after the provider approved, settling on restart', async () => {
    await platform.stack.restart('payments', { PROVIDER_TIMEOUT_MS: '10000' });
    await control('A', { answerDelayMs: 3000 });
    const order = await placeOrder();
    const pending = pay(order.id).catch(() => null);
    const recorded = async () =>
      (await stats('A')).authorizations.find(
        (a) => a.status === 'APPROVED' && a.transactionId && paymentsWithOrder.has(a.key),
      );
    const paymentsWithOrder = new Set<string>();
    await eventually(
      'the provider to approve',
      async () => {
        for (const p of await paymentsDb.payment.findMany({ where: { orderId: order.id } }))
          paymentsWithOrder.add(p.id);
        return !!(await recorded());
      },
      5000,
      20,
    );
    await platform.stack.stop('payments', 'SIGKILL');
    await pending;
    const [payment] = await paymentsDb.payment.findMany({ where: { orderId: order.id } });
    expect(payment.status).toBe('PENDING');

    await control('A', healthy);
    await platform.stack.restart('payments');
    await eventually(
      'reconciliation to settle it',
      async () => (await paymentsDb.payment.findUniqueOrThrow({ where: { id: payment.id } })).status === 'APPROVED',
      10_000,
    );
    await eventually('the order to be placed', async () => (await orderStatus(order.id)) === 'PLACED');
    expect((await stats('A')).authorizations.filter((a) => a.key === payment.id)).toHaveLength(1);
    expect((await stats('B')).authorizations.filter((a) => a.key === payment.id)).toHaveLength(0);
  });

  it('refunds a second charge left by a provider that approved after timing out', async () => {
    await control('A', { answerDelayMs: 1000 }); // records the approval, answers after the 500 ms timeout
    const order = await placeOrder();
    const paid = await pay(order.id);
    expect(paid.data.payOrder).toMatchObject({ status: 'APPROVED', provider: 'provider-b' });
    const id = paid.data.payOrder.id;
    // Payments records the void once A has answered the refund, a moment after A counts it refunded.
    const voids = () => paymentsDb.paymentRecord.findMany({ where: { paymentId: id, kind: 'VOIDED' } });
    await eventually(
      'the stray charge at A to be refunded and the void recorded',
      async () => {
        const stray = (await stats('A')).authorizations.find((a) => a.key === id);
        return !!stray?.refunded && (await voids()).length > 0;
      },
      15_000,
      200,
    );
    expect((await voids()).map((r) => r.provider)).toEqual(['provider-a']);
    expect((await stats('B')).authorizations.find((a) => a.key === id)?.refunded).toBe(false);
  });

  it('refunds a second charge of an ad wallet top-up left by a provider that approved after timing out', async () => {
    const owner = await login(url, 'owner1@baedal.dev');
    await control('A', { answerDelayMs: 1000 }); // records the approval, answers after the 500 ms timeout
    const topUp = await graphql(
      url,
      'mutation($s: ID!, $k: String!) { topUpAdWallet(shopId: $s, amount: 30000, idempotencyKey: $k) { id status } }',
      { s: shop.id, k: randomUUID() },
      bearer(owner.token),
    );
    expect(topUp.data.topUpAdWallet.status).toBe('APPROVED');
    const key = `topup:${topUp.data.topUpAdWallet.id}`;
    const row = () => paymentsDb.adTopUp.findUniqueOrThrow({ where: { id: topUp.data.topUpAdWallet.id } });
    expect(await row()).toMatchObject({ provider: 'provider-b', unansweredProviders: ['provider-a'] });
    await eventually(
      'the stray charge at A to be refunded and the check recorded',
      async () => {
        const stray = (await stats('A')).authorizations.find((a) => a.key === key);
        return !!stray?.refunded && !!(await row()).straysCheckedAt;
      },
      15_000,
      200,
    );
    expect((await stats('B')).authorizations.find((a) => a.key === key)?.refunded).toBe(false);
  });

  it('refunds a canceled paid order exactly once, through the provider that charged it', async () => {
    const order = await placeOrder();
    const key = randomUUID();
    const paid = await pay(order.id, key);
    await eventually('the order to be placed', async () => (await orderStatus(order.id)) === 'PLACED');
    const canceled = await graphql(
      url,
      'mutation($id: ID!) { cancelOrder(id: $id) { status } }',
      { id: order.id },
      bearer(customer.token),
    );
    expect(canceled.data.cancelOrder.status).toBe('CANCELED');
    await eventually(
      'the refund',
      async () =>
        (await paymentsDb.payment.findUniqueOrThrow({ where: { id: paid.data.payOrder.id } })).status === 'REFUNDED',
    );
    await platform.settle();
    expect(await paymentsDb.refund.count({ where: { orderId: order.id } })).toBe(1);
    const charged = (await stats('A')).authorizations.find((a) => a.key === paid.data.payOrder.id)!;
    expect((await stats('A')).refunds.filter((r) => r.transactionId === charged.transactionId)).toHaveLength(1);
    const history = await graphql(
      url,
      'query($id: ID!) { payment(id: $id) { history { kind } } }',
      { id: paid.data.payOrder.id },
      bearer(customer.token),
    );
    expect(history.data.payment.history.map((h: any) => h.kind)).toEqual(['REQUESTED', 'APPROVED', 'REFUNDED']);
    // The key sent again answers with its payment, not with the canceled order's conflict, and charges nothing.
    const again = await pay(order.id, key);
    expect(again.errors).toBeUndefined();
    expect(again.data.payOrder).toMatchObject({ id: paid.data.payOrder.id, status: 'REFUNDED' });
    expect((await stats('A')).authorizations.filter((a) => a.key === paid.data.payOrder.id)).toHaveLength(1);
    expect(codes(await pay(order.id))).toEqual(['ORDER_STATE_CONFLICT']);
  });

  it('takes one payment of an order paid twice at once with different keys, and refuses the other', async () => {
    const order = await placeOrder();
    const answers = await Promise.all([pay(order.id), pay(order.id)]);
    const approved = answers.filter((a) => a.data?.payOrder?.status === 'APPROVED');
    expect(approved).toHaveLength(1);
    expect(answers.flatMap(codes)).toEqual(['CONFLICT']);
    expect(await paymentsDb.payment.count({ where: { orderId: order.id } })).toBe(1);
    expect((await stats('A')).authorizations.filter((a) => a.key === approved[0].data.payOrder.id)).toHaveLength(1);
  });

  it('answers each of many customers placing and paying at once with their own order and payment', async () => {
    // Commands that arrive together go to their subgraph in one request and are written together (one statement
    // for the batch), so each answer must still be its own caller's: different quantities make every order's
    // total, and its payment's amount, different; each order and payment must be its own customer's.
    const who = await Promise.all(Array.from({ length: 8 }, (_, i) => login(url, `customer${i + 1}@baedal.dev`)));
    const item = shop.items[0];
    const base = Math.max(1, Math.ceil(shop.minimumOrder / item.price));
    const sent = { orders: await gatheredSoFar('orders'), payments: await gatheredSoFar('payments') };
    const orders = await gathered(ordersDb, 'OrderLine', () => who.map((w, i) => placeOrder(base + i, w)));
    const placing = await gatheredSoFar('orders');
    expect(placing.commands - sent.orders.commands).toBe(who.length);
    expect(placing.requests - sent.orders.requests).toBeLessThan(who.length);
    const stored = await ordersDb.order.findMany({ where: { id: { in: orders.map((o) => o.id) } } });
    expect(new Set(stored.map((o) => o.id)).size).toBe(who.length);
    for (const [i, order] of orders.entries()) {
      const row = stored.find((o) => o.id === order.id)!;
      expect([row.customerId, row.total, order.total - item.price * (base + i)]).toEqual([
        who[i].userId,
        order.total,
        orders[0].total - item.price * base,
      ]);
    }

    const answers = await gathered(paymentsDb, 'PaymentRecord', () =>
      orders.map((order, i) =>
        graphql(url, PAY, { orderId: order.id, key: randomUUID(), token: order.paymentToken }, bearer(who[i].token)),
      ),
    );
    expect(answers.flatMap(codes)).toEqual([]);
    const paying = await gatheredSoFar('payments');
    expect(paying.commands - sent.payments.commands).toBe(who.length);
    expect(paying.requests - sent.payments.requests).toBeLessThan(who.length);
    const payments = await paymentsDb.payment.findMany({ where: { orderId: { in: orders.map((o) => o.id) } } });
    expect(payments).toHaveLength(who.length);
    for (const [i, order] of orders.entries()) {
      const payment = payments.find((p) => p.orderId === order.id)!;
      expect([
        payment.customerId,
        payment.amount,
        payment.status,
        answers[i].data?.payOrder?.id,
        answers[i].data?.payOrder?.amount,
      ]).toEqual([who[i].userId, order.total, 'APPROVED', payment.id, order.total]);
    }
    const records = await paymentsDb.paymentRecord.findMany({
      where: { paymentId: { in: payments.map((p) => p.id) } },
    });
    expect(records.map((r) => r.kind).sort()).toEqual([
      ...Array(who.length).fill('APPROVED'),
      ...Array(who.length).fill('REQUESTED'),
    ]);
    await eventually('every order to be placed', async () =>
      (await Promise.all(orders.map((o) => orderStatus(o.id)))).every((status) => status === 'PLACED'),
    );
  });

  it('refunds an approval that arrives after the order was canceled, once', async () => {
    await platform.stack.restart('payments', { PROVIDER_TIMEOUT_MS: '10000' });
    try {
      await control('A', { latencyMs: 2500 });
      const order = await placeOrder();
      const paying = pay(order.id);
      await eventually(
        'the payment to be pending',
        async () => (await paymentsDb.payment.count({ where: { orderId: order.id, status: 'PENDING' } })) === 1,
        5000,
        20,
      );
      const canceled = await graphql(
        url,
        'mutation($id: ID!) { cancelOrder(id: $id) { status } }',
        { id: order.id },
        bearer(customer.token),
      );
      expect(canceled.data.cancelOrder.status).toBe('CANCELED');
      await eventually(
        'payments to hear of the cancel',
        async () => !!(await paymentsDb.orderLedger.findUnique({ where: { orderId: order.id } }))?.canceled,
        2000,
        20,
      );
      // The provider answers after the cancel was applied: the approval is refunded by the payment itself.
      const paid = await paying;
      expect(paid.data.payOrder).toMatchObject({ status: 'REFUNDED', provider: 'provider-a' });
      expect(paid.data.payOrder.history.map((h: any) => h.kind)).toEqual(['REQUESTED', 'APPROVED', 'REFUNDED']);
      await platform.settle();
      expect(await paymentsDb.refund.count({ where: { orderId: order.id } })).toBe(1);
      const charged = (await stats('A')).authorizations.find((a) => a.key === paid.data.payOrder.id)!;
      expect((await stats('A')).refunds.filter((r) => r.transactionId === charged.transactionId)).toHaveLength(1);
      expect(await orderStatus(order.id)).toBe('CANCELED');
    } finally {
      await control('A', healthy);
      await platform.stack.restart('payments');
    }
  });
});

describe('coupons', () => {
  const CREATE = `mutation($input: CreateCouponCampaignInput!) { createCouponCampaign(input: $input) { id stock remaining } }`;
  const CLAIM = 'mutation($c: ID!) { claimCoupon(campaignId: $c) { id campaignId status } }';
  const campaign = async (over: Record<string, unknown> = {}) => {
    const input = {
      name: '7천원 할인',
      discountType: 'FIXED',
      amount: 7000,
      stock: 3,
      startsAt: new Date(Date.now() - 1000).toISOString(),
      endsAt: new Date(Date.now() + 3600_000).toISOString(),
      ...over,
    };
    const response = await graphql(url, CREATE, { input }, bearer(admin.token));
    if (!response.data) throw new Error(JSON.stringify(response.errors));
    return response.data.createCouponCampaign.id as string;
  };
  const customerToken = (n: number) => bearer(issueToken({ id: `burst-customer-${n}`, role: 'CUSTOMER' }));

  it('lets only admins create campaigns, with valid terms', async () => {
    const input = {
      name: 'x',
      discountType: 'FIXED',
      amount: 7000,
      stock: 3,
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 1000).toISOString(),
    };
    expect(codes(await graphql(url, CREATE, { input }, bearer(customer.token)))).toEqual(['FORBIDDEN']);
    const bad = await graphql(url, CREATE, { input: { ...input, stock: 0 } }, bearer(admin.token));
    expect([codes(bad), bad.errors?.[0].extensions?.field]).toEqual([['BAD_USER_INPUT'], 'stock']);
  });

  it('gives each customer one coupon until the stock runs out, and refuses before the start and after the end', async () => {
    const id = await campaign();
    const first = await graphql(url, CLAIM, { c: id }, customerToken(1));
    expect(first.data.claimCoupon).toMatchObject({ campaignId: id, status: 'CLAIMED' });
    expect(codes(await graphql(url, CLAIM, { c: id }, customerToken(1)))).toEqual(['COUPON_ALREADY_CLAIMED']);
    await graphql(url, CLAIM, { c: id }, customerToken(2));
    await graphql(url, CLAIM, { c: id }, customerToken(3));
    expect(codes(await graphql(url, CLAIM, { c: id }, customerToken(4)))).toEqual(['COUPON_SOLD_OUT']);
    const later = await campaign({
      startsAt: new Date(Date.now() + 3600_000).toISOString(),
      endsAt: new Date(Date.now() + 7200_000).toISOString(),
    });
    expect(codes(await graphql(url, CLAIM, { c: later }, customerToken(1)))).toEqual(['COUPON_NOT_STARTED']);
    const over = await campaign({
      startsAt: new Date(Date.now() - 7200_000).toISOString(),
      endsAt: new Date(Date.now() - 3600_000).toISOString(),
    });
    expect(codes(await graphql(url, CLAIM, { c: over }, customerToken(1)))).toEqual(['COUPON_EXPIRED']);
    expect(codes(await graphql(url, CLAIM, { c: 'no-such-campaign' }, customerToken(1)))).toEqual(['NOT_FOUND']);
  });

  it('takes the discount off the payment, and gives the coupon back (not to the stock) when the payment fails', async () => {
    const id = await campaign({ stock: 5 });
    const claim = (await graphql(url, CLAIM, { c: id }, bearer(customer.token))).data.claimCoupon.id;
    const remaining = async () =>
      (await graphql(url, 'query($c: ID!) { couponCampaign(id: $c) { remaining } }', { c: id })).data.couponCampaign
        .remaining;
    expect(await remaining()).toBe(4);

    await control('A', { outage: true });
    await control('B', { outage: true });
    const failing = await placeOrder();
    expect(codes(await pay(failing.id, randomUUID(), claim))).toEqual(['PAYMENT_PROVIDER_UNAVAILABLE']);
    expect((await paymentsDb.couponClaim.findUniqueOrThrow({ where: { id: claim } })).status).toBe('CLAIMED');
    expect(await remaining()).toBe(4);
    await control('A', healthy);
    await control('B', healthy);

    const order = await placeOrder();
    const paid = await pay(order.id, randomUUID(), claim);
    expect(paid.data.payOrder).toMatchObject({
      status: 'APPROVED',
      amount: Math.max(0, order.total - 7000),
      discount: Math.min(7000, order.total),
    });
    expect((await paymentsDb.couponClaim.findUniqueOrThrow({ where: { id: claim } })).status).toBe('USED');
    expect(codes(await pay((await placeOrder()).id, randomUUID(), claim))).toEqual(['CONFLICT']);
  });

  it("refuses paying a canceled order with its paymentToken and leaves the coupon claimed; the key's own payment still answers", async () => {
    const cancel = async (orderId: string) => {
      expect(
        (
          await graphql(
            url,
            'mutation($id: ID!) { cancelOrder(id: $id) { status } }',
            { id: orderId },
            bearer(customer.token),
          )
        ).data.cancelOrder.status,
      ).toBe('CANCELED');
      await eventually(
        'payments to hear of the cancel',
        async () => !!(await paymentsDb.orderLedger.findUnique({ where: { orderId } }))?.canceled,
      );
    };
    const payWithToken = (order: { id: string; paymentToken: string }, key: string, coupon: string | null = null) =>
      graphql(url, PAY, { orderId: order.id, key, coupon, token: order.paymentToken }, bearer(customer.token));
    // The token's terms say nothing of a cancel: the payment's own statement finds it in the ledger.
    const unpaid = await placeOrder();
    await cancel(unpaid.id);
    const claim = (await graphql(url, CLAIM, { c: await campaign() }, bearer(customer.token))).data.claimCoupon.id;
    expect(codes(await payWithToken(unpaid, randomUUID()))).toEqual(['ORDER_STATE_CONFLICT']);
    expect(codes(await payWithToken(unpaid, randomUUID(), claim))).toEqual(['ORDER_STATE_CONFLICT']);
    expect(await paymentsDb.payment.count({ where: { orderId: unpaid.id } })).toBe(0);
    expect(await paymentsDb.couponClaim.findUniqueOrThrow({ where: { id: claim } })).toMatchObject({
      status: 'CLAIMED',
      usedPaymentId: null,
    });

    const paid = await placeOrder();
    const key = randomUUID();
    const payment = (await payWithToken(paid, key)).data.payOrder;
    expect(payment.status).toBe('APPROVED');
    await eventually('the order to be placed', async () => (await orderStatus(paid.id)) === 'PLACED');
    await cancel(paid.id);
    const again = await payWithToken(paid, key);
    expect(again.errors).toBeUndefined();
    expect(again.data.payOrder).toMatchObject({ id: payment.id, status: 'REFUNDED' });
    expect(codes(await payWithToken(paid, randomUUID(), claim))).toEqual(['ORDER_STATE_CONFLICT']);
  });

  it('gives the coupon back when the payment is declined', async () => {
    const id = await campaign({ stock: 5 });
    const claim = (await graphql(url, CLAIM, { c: id }, bearer(customer.token))).data.claimCoupon.id;
    const order = await placeOrder(Math.min(99, Math.ceil(510_000 / shop.items[0].price)));
    expect(codes(await pay(order.id, randomUUID(), claim))).toEqual(['PAYMENT_DECLINED']);
    expect(await paymentsDb.couponClaim.findUniqueOrThrow({ where: { id: claim } })).toMatchObject({
      status: 'CLAIMED',
      usedPaymentId: null,
    });
    const payment = await paymentsDb.payment.findFirstOrThrow({ where: { orderId: order.id } });
    const records = await paymentsDb.paymentRecord.findMany({
      where: { paymentId: payment.id },
      orderBy: { at: 'asc' },
    });
    expect(records.map((r) => r.kind)).toEqual(['REQUESTED', 'COUPON_APPLIED', 'DECLINED', 'COUPON_RELEASED']);
  });

  it('lets one coupon pay for one order when two payments race for it', async () => {
    const id = await campaign({ stock: 5 });
    const claim = (await graphql(url, CLAIM, { c: id }, bearer(customer.token))).data.claimCoupon.id;
    const orders = [await placeOrder(), await placeOrder()];
    const answers = await Promise.all(orders.map((order) => pay(order.id, randomUUID(), claim)));
    const approved = answers.filter((a) => a.data?.payOrder?.status === 'APPROVED');
    expect(approved).toHaveLength(1);
    expect(approved[0].data.payOrder.discount).toBeGreaterThan(0);
    expect(answers.flatMap(codes)).toEqual(['CONFLICT']);
    const stored = await paymentsDb.couponClaim.findUniqueOrThrow({ where: { id: claim } });
    expect(stored).toMatchObject({ status: 'USED', usedPaymentId: approved[0].data.payOrder.id });
    expect(await paymentsDb.payment.count({ where: { couponClaimId: claim } })).toBe(1);
  });

  it('issues exactly its stock under a burst of 20,000 claims from 10,000 customers, while shop lists keep answering', async () => {
    const STOCK = 1000;
    const CUSTOMERS = 10_000;
    const id = await campaign({ stock: STOCK, name: '선착순 1000명' });
    const tokens = Array.from({ length: CUSTOMERS }, (_, n) => customerToken(100_000 + n));
    const attempts = [...tokens, ...tokens].sort(() => Math.random() - 0.5);
    const outcomes: Record<string, number> = {};
    const issued: { customer: number; claimId: string }[] = [];
    let next = 0;
    const listsDuringBurst: GraphQLResponse[] = [];
    const started = Date.now();
    const claimer = async () => {
      while (next < attempts.length && Date.now() - started < 120_000) {
        const i = next++;
        const response = await graphql(url, CLAIM, { c: id }, attempts[i]);
        const code = response.data?.claimCoupon ? 'CLAIMED' : (response.errors?.[0].extensions?.code ?? 'UNKNOWN');
        outcomes[code] = (outcomes[code] ?? 0) + 1;
        if (code === 'CLAIMED')
          issued.push({ customer: tokens.indexOf(attempts[i]), claimId: response.data.claimCoupon.id });
        if (i % 500 === 0)
          listsDuringBurst.push(
            await graphql(url, '{ shops(area: GANGNAM, first: 10) { edges { node { id name } } } }'),
          );
      }
    };
    await Promise.all(Array.from({ length: 64 }, claimer));
    expect(next).toBeGreaterThanOrEqual(attempts.length); // finished inside the time bound

    expect(outcomes.CLAIMED).toBe(STOCK);
    expect(new Set(issued.map((i) => i.customer)).size).toBe(STOCK);
    expect(outcomes.COUPON_SOLD_OUT + (outcomes.COUPON_ALREADY_CLAIMED ?? 0)).toBe(2 * CUSTOMERS - STOCK);
    expect(Object.keys(outcomes).sort()).toEqual(
      ['CLAIMED', 'COUPON_ALREADY_CLAIMED', 'COUPON_SOLD_OUT'].filter((k) => outcomes[k]).sort(),
    );
    expect(listsDuringBurst.length).toBeGreaterThan(0);
    for (const list of listsDuringBurst) {
      expect(list.errors).toBeUndefined();
      expect(list.data.shops.edges.length).toBeGreaterThan(0);
    }

    // Once the queue drains, Postgres holds exactly the claims Redis issued.
    await eventually(
      'the claims to be persisted',
      async () => (await paymentsDb.couponClaim.count({ where: { campaignId: id } })) === STOCK,
      60_000,
      200,
    );
    const persisted = await paymentsDb.couponClaim.findMany({ where: { campaignId: id } });
    expect(new Set(persisted.map((c) => c.id))).toEqual(new Set(issued.map((i) => i.claimId)));
    const redis = new Redis(process.env.BAEDAL_REDIS_URL ?? 'redis://127.0.0.1:6379/0');
    try {
      expect(await redis.hlen(`${platform.prefix}:coupon:${id}:claims`)).toBe(STOCK);
      expect(await redis.get(`${platform.prefix}:coupon:${id}:remaining`)).toBe('0');

      // A claim Postgres lost is repaired from Redis by the reconcile command.
      await paymentsDb.couponClaim.delete({ where: { id: persisted[0].id } });
      const { execFileSync } = await import('node:child_process');
      const env = { ...process.env, BAEDAL_DB_PREFIX: platform.prefix, BAEDAL_REDIS_PREFIX: platform.prefix };
      const report = execFileSync(
        process.execPath,
        [`${__dirname}/../workers/dist/cli.js`, 'coupons', 'reconcile', id],
        { env, encoding: 'utf8' },
      );
      expect(report).toContain('persisted 1 claim(s) from Redis, restored 0 to Redis, 0 left');
      expect(await paymentsDb.couponClaim.count({ where: { campaignId: id } })).toBe(STOCK);
    } finally {
      redis.disconnect();
    }
  }, 240_000);
});
