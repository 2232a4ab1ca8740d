import { randomUUID } from 'node:crypto';
import { applyOnce, type EventEnvelope, type OrderEventType, type OrderSnapshot } from '@baedal/events';
import { orderPayments } from '@baedal/payments/events';
import { dropDatabase, ensureDatabase, migrate } from '@baedal/prisma';
import { createPaymentsClient } from '@baedal/prisma/payments';
import { createReviewsClient } from '@baedal/prisma/reviews';
import { createShopsClient } from '@baedal/prisma/shops';
import { eligibility } from '@baedal/reviews/events';
import { projection } from '@baedal/shops/events';
import { PG_URL } from './support/stack';

/*
 * The consumers of order events, fed directly: the same event delivered twice
 * has one effect, and events delivered out of order leave the right end state.
 */

const prefix = `baedal_oc_${process.pid}`;
const services = ['payments', 'reviews', 'shops'] as const;
let payments: ReturnType<typeof createPaymentsClient>;
let reviews: ReturnType<typeof createReviewsClient>;
let shops: ReturnType<typeof createShopsClient>;

beforeAll(async () => {
  for (const service of services) {
    await dropDatabase(`${prefix}_${service}`);
    await ensureDatabase(`${prefix}_${service}`);
    await migrate(service, `${PG_URL}/${prefix}_${service}`);
  }
  payments = createPaymentsClient(`${PG_URL}/${prefix}_payments`, 2);
  reviews = createReviewsClient(`${PG_URL}/${prefix}_reviews`, 2);
  shops = createShopsClient(`${PG_URL}/${prefix}_shops`, 2);
}, 60_000);

afterAll(async () => {
  await Promise.all([payments, reviews, shops].map((db) => db?.$disconnect()));
  for (const service of services) await dropDatabase(`${prefix}_${service}`);
}, 60_000);

function orderEvent<T extends OrderEventType>(type: T, orderId: string, version: number, over: Partial<OrderSnapshot> = {}): EventEnvelope<T> {
  const status = { 'order.created': 'PENDING_PAYMENT', 'order.placed': 'PLACED', 'order.accepted': 'ACCEPTED', 'order.rejected': 'REJECTED', 'order.picked_up': 'PICKED_UP', 'order.delivered': 'DELIVERED', 'order.canceled': 'CANCELED' }[type] as OrderSnapshot['status'];
  return {
    id: randomUUID(), type, version, occurredAt: new Date().toISOString(), aggregateId: orderId,
    payload: { orderId, customerId: 'c1', shopId: 'shop-1', status, itemsTotal: 20000, deliveryFee: 3000, total: 23000, deliveryArea: 'MAPO', reason: null, estimatedCookingMinutes: null, ...over },
  } as EventEnvelope<T>;
}

const toPayments = (e: EventEnvelope) => applyOnce('payments', e, orderPayments, (work) => payments.$transaction(work));
const toReviews = (e: EventEnvelope) => applyOnce('reviews', e, eligibility, (work) => reviews.$transaction(work));
const toShops = (e: EventEnvelope) => applyOnce('shops', e, projection, (work) => shops.$transaction(work));

describe('payments', () => {
  it('records one payment for a placed order delivered twice, and refunds it once when canceled twice', async () => {
    const orderId = randomUUID();
    const placed = orderEvent('order.placed', orderId, 2);
    const canceled = orderEvent('order.canceled', orderId, 3, { reason: '고객 요청' });
    for (const e of [orderEvent('order.created', orderId, 1), placed, placed, canceled, canceled]) await toPayments(e);
    expect(await payments.payment.findMany({ where: { orderId } })).toEqual([expect.objectContaining({ amount: 23000, status: 'REFUNDED' })]);
    expect(await payments.refund.findMany({ where: { orderId } })).toEqual([expect.objectContaining({ amount: 23000, reason: '고객 요청' })]);
  });

  it('charges nothing when the cancel arrives before the placement', async () => {
    const orderId = randomUUID();
    for (const e of [orderEvent('order.canceled', orderId, 3), orderEvent('order.placed', orderId, 2), orderEvent('order.created', orderId, 1)]) await toPayments(e);
    expect(await payments.payment.count({ where: { orderId } })).toBe(0);
    expect(await payments.refund.count({ where: { orderId } })).toBe(0);
    expect(await payments.orderLedger.findUniqueOrThrow({ where: { orderId } })).toMatchObject({ version: 3, canceled: true });
  });

  it('refunds a paid order the shop rejects', async () => {
    const orderId = randomUUID();
    for (const e of [orderEvent('order.placed', orderId, 2), orderEvent('order.rejected', orderId, 3, { reason: '재료 소진' })]) await toPayments(e);
    expect((await payments.payment.findFirstOrThrow({ where: { orderId } })).status).toBe('REFUNDED');
    expect(await payments.refund.count({ where: { orderId } })).toBe(1);
  });
});

describe('reviews', () => {
  it('makes a delivered order reviewable once, however often the event comes', async () => {
    const orderId = randomUUID();
    const delivered = orderEvent('order.delivered', orderId, 5);
    expect([await toReviews(delivered), await toReviews(delivered)]).toEqual(['applied', 'duplicate']);
    expect(await reviews.reviewableOrder.findMany({ where: { orderId } })).toEqual([expect.objectContaining({ customerId: 'c1', shopId: 'shop-1' })]);
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
