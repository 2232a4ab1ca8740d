import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { bearer, codes, graphql, login } from './support/graphql';
import { orderableShops, placeOrder, type OrderableShop } from './support/orders';
import { eventually, startTestPlatform, type TestPlatform } from './support/stack';

/*
 * Housekeeping nobody has to do, on a fast clock. Orders nobody acts on
 * expire: an order not paid within the payment window (2 s here) expires and
 * cannot be paid after; a paid order the shop does not accept within the
 * accept window (2 s) is rejected by the platform, refunded, and its coupon
 * given back. Two workers processes sweep, and each order still moves once.
 * And what events leave behind is pruned past its horizon: relayed outbox
 * rows (5 s here) and consumers' records of applied events (8 s).
 */

const BASE = 15200;
const WINDOW_MS = 2000;
const DEADLINE_MS = WINDOW_MS + 8000;
const OUTBOX_RETENTION_MS = 5000;
const PROCESSED_RETENTION_MS = 8000;

let platform: TestPlatform;
let orders: pg.Client;
let payments: pg.Client;
let customer: { token: string };
let shop: OrderableShop;

beforeAll(async () => {
  platform = await startTestPlatform('housekeeping', BASE, 10, {
    ORDERS_AUTO_APPROVE_PAYMENT: 'false',
    ORDERS_PAYMENT_WINDOW_MS: String(WINDOW_MS),
    ORDERS_ACCEPT_WINDOW_MS: String(WINDOW_MS),
    ORDERS_EXPIRY_SWEEP_MS: '1500',
    WORKERS_PROCESSES: '2',
    BAEDAL_OUTBOX_RETENTION_MS: String(OUTBOX_RETENTION_MS),
    BAEDAL_DEAD_LETTER_RETENTION_MS: '5000',
    BAEDAL_PROCESSED_EVENT_RETENTION_MS: String(PROCESSED_RETENTION_MS),
    BAEDAL_RETENTION_SWEEP_MS: '500',
  });
  orders = new pg.Client({ connectionString: platform.databaseUrl('orders') });
  payments = new pg.Client({ connectionString: platform.databaseUrl('payments') });
  await Promise.all([orders.connect(), payments.connect()]);
  customer = await login(platform.gatewayUrl, 'customer1@baedal.dev');
  [shop] = await orderableShops(platform.databaseUrl('shops'));
}, 180_000);

afterAll(async () => {
  await Promise.all([orders?.end(), payments?.end()]);
  await platform?.stop();
}, 60_000);

const PAY = `mutation($orderId: ID!, $key: String!, $coupon: ID) {
  payOrder(orderId: $orderId, method: CARD, couponClaimId: $coupon, idempotencyKey: $key) { id status discount }
}`;

async function place(): Promise<{ id: string }> {
  const placed = await placeOrder(platform.gatewayUrl, customer.token, shop, 'id status');
  expect(placed.errors).toBeUndefined();
  expect(placed.data.placeOrder.status).toBe('PENDING_PAYMENT');
  return placed.data.placeOrder;
}

const statusOf = async (orderId: string) =>
  (await orders.query<{ status: string }>('SELECT "status" FROM "Order" WHERE "id" = $1', [orderId])).rows[0].status;

/** The order's lifecycle events of `type`, and the reasons its history gives for `status`. */
async function trail(orderId: string, type: string, status: string) {
  const events = await orders.query('SELECT 1 FROM "OutboxEvent" WHERE "aggregateId" = $1 AND "type" = $2', [
    orderId,
    type,
  ]);
  const history = await orders.query<{ reason: string | null }>(
    `SELECT "reason" FROM "OrderStatusChange" WHERE "orderId" = $1 AND "status" = $2::"OrderStatus"`,
    [orderId, status],
  );
  return { events: events.rowCount, reasons: history.rows.map((r) => r.reason) };
}

it('expires an order not paid in time, once, and refuses to charge it after', async () => {
  const order = await place();
  expect(await statusOf(order.id)).toBe('PENDING_PAYMENT');
  await eventually(
    'the unpaid order to expire',
    async () => (await statusOf(order.id)) === 'EXPIRED',
    DEADLINE_MS,
    100,
  );
  expect(await trail(order.id, 'order.expired', 'EXPIRED')).toEqual({
    events: 1,
    reasons: ['Not paid within 2 seconds'],
  });

  await platform.settle();
  const late = await graphql(
    platform.gatewayUrl,
    PAY,
    { orderId: order.id, key: randomUUID() },
    bearer(customer.token),
  );
  expect(late.data?.payOrder ?? null).toBeNull();
  expect(codes(late)).toEqual(['ORDER_STATE_CONFLICT']);
  expect(late.errors?.[0].message).toMatch(/can no longer be paid/);
  const charged = await payments.query(`SELECT 1 FROM "Payment" WHERE "orderId" = $1 AND "status" = 'APPROVED'`, [
    order.id,
  ]);
  expect(charged.rowCount).toBe(0);
}, 60_000);

it('rejects a paid order the shop did not accept in time, refunds it and gives its coupon back', async () => {
  const { token: adminToken } = await login(platform.gatewayUrl, 'admin@baedal.dev');
  const input = {
    name: '만료 쿠폰',
    discountType: 'FIXED',
    amount: 1000,
    stock: 5,
    startsAt: new Date(Date.now() - 1000).toISOString(),
    endsAt: new Date(Date.now() + 3600_000).toISOString(),
  };
  const created = await graphql(
    platform.gatewayUrl,
    'mutation($input: CreateCouponCampaignInput!) { createCouponCampaign(input: $input) { id } }',
    { input },
    bearer(adminToken),
  );
  const claimed = await graphql(
    platform.gatewayUrl,
    'mutation($c: ID!) { claimCoupon(campaignId: $c) { id } }',
    { c: created.data.createCouponCampaign.id },
    bearer(customer.token),
  );
  const couponId = claimed.data.claimCoupon.id as string;

  const order = await place();
  const paid = await graphql(
    platform.gatewayUrl,
    PAY,
    { orderId: order.id, key: randomUUID(), coupon: couponId },
    bearer(customer.token),
  );
  expect(paid.data.payOrder).toMatchObject({ status: 'APPROVED', discount: 1000 });
  await eventually('the paid order to be rejected', async () => (await statusOf(order.id)) === 'REJECTED', DEADLINE_MS);
  expect(await trail(order.id, 'order.rejected', 'REJECTED')).toEqual({
    events: 1,
    reasons: ['The shop did not accept within 2 seconds'],
  });

  await platform.settle();
  const payment = await payments.query<{ status: string }>('SELECT "status" FROM "Payment" WHERE "orderId" = $1', [
    order.id,
  ]);
  expect(payment.rows.map((p) => p.status)).toEqual(['REFUNDED']);
  const refunds = await payments.query('SELECT 1 FROM "Refund" WHERE "orderId" = $1', [order.id]);
  expect(refunds.rowCount).toBe(1);
  const coupon = await payments.query<{ status: string }>('SELECT "status" FROM "CouponClaim" WHERE "id" = $1', [
    couponId,
  ]);
  expect(coupon.rows[0].status).toBe('CLAIMED');
}, 60_000);

it("prunes relayed outbox rows and consumers' records of applied events past their horizons", async () => {
  const order = await place();
  await platform.settle();
  const created = await orders.query<{ id: string; relayedAt: Date }>(
    `SELECT "id", "relayedAt" FROM "OutboxEvent" WHERE "aggregateId" = $1 AND "type" = 'order.created'`,
    [order.id],
  );
  expect(created.rows).toHaveLength(1);
  const [{ id: eventId, relayedAt }] = created.rows;
  const processed = () =>
    payments.query('SELECT 1 FROM "ProcessedEvent" WHERE "consumer" = $1 AND "eventId" = $2', ['payments', eventId]);
  const relayed = () => orders.query('SELECT 1 FROM "OutboxEvent" WHERE "id" = $1', [eventId]);
  expect((await processed()).rowCount).toBe(1);

  // Kept until its horizon, gone soon after.
  await eventually('the relayed row to be pruned', async () => (await relayed()).rowCount === 0, 20_000, 100);
  expect(Date.now() - relayedAt.getTime()).toBeGreaterThanOrEqual(OUTBOX_RETENTION_MS - 1000);
  expect((await processed()).rowCount).toBe(1);
  await eventually('the processed record to be pruned', async () => (await processed()).rowCount === 0, 20_000, 100);
  expect(Date.now() - relayedAt.getTime()).toBeGreaterThanOrEqual(PROCESSED_RETENTION_MS - 1000);
}, 60_000);
