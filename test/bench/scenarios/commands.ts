import { randomUUID } from 'node:crypto';
import { isOpenAt, parseOpeningHours } from '@baedal/contracts';
import { issueToken } from '@baedal/platform';
import type { createShopsClient } from '@baedal/prisma/shops';
import { cpuBetween, snapshotCpu } from '../cpu';
import { body, pct, post } from '../load';
import { CONNECTIONS, log, ORDERING } from '../options';

/* What the order, cost and coupon rows send, as customers and an admin do. */

export const PLACE = 'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id paymentToken } }';
export const PAY =
  'mutation($o: ID!, $k: String!, $t: String) { payOrder(orderId: $o, method: CARD, idempotencyKey: $k, paymentToken: $t) { status } }';
export const CLAIM = 'mutation($c: ID!) { claimCoupon(campaignId: $c) { id } }';

/** One order placed and paid: both answers' bodies (`paid` null if placing failed), the error code unless approved, the timings. */
export interface PlacedAndPaid {
  shopId: string;
  placed: string;
  paid: string | null;
  failure: string | null;
  placing: number;
  total: number;
}

export type Commands = Awaited<ReturnType<typeof commands>>;

/** A loop of requests measured: answers a second, latency percentiles, errors, and the cores each group used. */
function loopSummary(latencies: number[], errors: number, started: number, cpuBefore: ReturnType<typeof snapshotCpu>) {
  const elapsed = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    rps: Math.round(latencies.length / elapsed),
    count: latencies.length,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    errors,
    cpu: cpuBetween(cpuBefore, snapshotCpu(), elapsed),
  };
}

/** The commands the bench sends, bound to the seeded customers, open shops and the admin. */
export async function commands(gateway: string, shopsDb: ReturnType<typeof createShopsClient>) {
  const customers = await shopsDb.account.findMany({ where: { role: 'CUSTOMER' }, take: 200 });
  const tokens = customers.map((c) => ({ authorization: `Bearer ${issueToken({ id: c.id, role: 'CUSTOMER' })}` }));
  const orderable = (
    await shopsDb.shop.findMany({
      where: { isOpen: true },
      take: 400,
      include: { menuItems: { where: { soldOut: false }, orderBy: { price: 'desc' }, take: 1 } },
    })
  )
    .filter((s) => s.menuItems.length && isOpenAt(parseOpeningHours(s.openingHours), false, new Date()))
    .slice(0, 100);
  const admin = await shopsDb.account.findFirstOrThrow({ where: { role: 'ADMIN' } });
  const adminAuth = { authorization: `Bearer ${issueToken({ id: admin.id, role: 'ADMIN' })}` };

  /** A coupon campaign of `stock` 7,000-won coupons, running now; its id. */
  const createCampaign = async (name: string, stock: number): Promise<string> => {
    const input = {
      name,
      discountType: 'FIXED',
      amount: 7000,
      stock,
      startsAt: new Date(Date.now() - 1000).toISOString(),
      endsAt: new Date(Date.now() + 3600_000).toISOString(),
    };
    const create = 'mutation($i: CreateCouponCampaignInput!) { createCouponCampaign(input: $i) { id } }';
    const created = JSON.parse((await post(gateway, body(create, { i: input }), adminAuth)).text);
    return created.data.createCouponCampaign.id as string;
  };

  /** The i-th customer places an order at the i-th open shop through `url` and pays it with its token. */
  const placeAndPayOne = async (url: string, i: number): Promise<PlacedAndPaid> => {
    const shop = orderable[i % orderable.length];
    const item = shop.menuItems[0];
    const auth = tokens[i % tokens.length];
    const input = {
      shopId: shop.id,
      items: [{ menuItemId: item.id, quantity: Math.max(1, Math.ceil(shop.minimumOrder / item.price)) }],
      deliveryAddress: '서울시 1',
      deliveryArea: shop.deliveryAreas[0],
      idempotencyKey: randomUUID(),
    };
    const t0 = Date.now();
    // Each customer is a client of its own address.
    const placed = (await post(url, body(PLACE, { input }), auth, i % tokens.length)).text;
    const t1 = Date.now();
    const order = JSON.parse(placed);
    const payment = order.data
      ? { o: order.data.placeOrder.id, k: randomUUID(), t: order.data.placeOrder.paymentToken }
      : null;
    const paid = payment ? (await post(url, body(PAY, payment), auth, i % tokens.length)).text : null;
    const answer = paid ? JSON.parse(paid) : null;
    const failure =
      answer?.data?.payOrder?.status === 'APPROVED'
        ? null
        : ((order.errors ?? answer?.errors)?.[0]?.extensions?.code ?? 'no answer');
    return { shopId: shop.id, placed, paid, failure, placing: t1 - t0, total: Date.now() - t0 };
  };

  /** Orders placed and paid through `url` by ORDERING customers at a time for `seconds`. */
  const placeAndPay = async (seconds: number, label: string, url: string = gateway) => {
    const latencies: number[] = [];
    const placing: number[] = [];
    const failures = new Map<string, number>();
    let errors = 0;
    const started = Date.now();
    const cpuBefore = snapshotCpu();
    await Promise.all(
      Array.from({ length: ORDERING }, async (_, worker) => {
        for (let i = worker; Date.now() - started < seconds * 1000; i += ORDERING) {
          const one = await placeAndPayOne(url, i);
          if (!one.failure) {
            latencies.push(one.total);
            placing.push(one.placing);
          } else {
            errors++;
            failures.set(one.failure, (failures.get(one.failure) ?? 0) + 1);
          }
        }
      }),
    );
    placing.sort((a, b) => a - b);
    const placeTimes = `placeOrder alone: p50 ${pct(placing, 50)} ms, p99 ${pct(placing, 99)} ms`;
    log(
      `${label}: ${latencies.length} orders; ${placeTimes}; failures ${JSON.stringify(Object.fromEntries(failures))}`,
    );
    return loopSummary(latencies, errors, started, cpuBefore);
  };

  /** 20,000 claims of `campaignId` through `url` by 10,000 customers (each tries twice, shuffled), CONNECTIONS at a time, for at most `seconds`. */
  const burst = async (url: string, campaignId: string, seconds = 120) => {
    const claimTokens = Array.from(
      { length: 10000 },
      (_, n) => `Bearer ${issueToken({ id: `bench-${campaignId}-${n}`, role: 'CUSTOMER' })}`,
    );
    const attempts = [...claimTokens, ...claimTokens].sort(() => Math.random() - 0.5);
    const claim = body(CLAIM, { c: campaignId });
    const latencies: number[] = [];
    let next = 0;
    let errors = 0;
    const started = Date.now();
    const cpuBefore = snapshotCpu();
    await Promise.all(
      Array.from({ length: CONNECTIONS }, async () => {
        while (next < attempts.length && Date.now() - started < seconds * 1000) {
          const n = next++;
          const authorization = attempts[n];
          const t0 = Date.now();
          const answer = await post(url, claim, { authorization }, n);
          latencies.push(Date.now() - t0);
          if (answer.status !== 200 || !/claimCoupon|COUPON_SOLD_OUT|COUPON_ALREADY_CLAIMED/.test(answer.text))
            errors++;
        }
      }),
    );
    return loopSummary(latencies, errors, started, cpuBefore);
  };

  return { tokens, createCampaign, placeAndPayOne, placeAndPay, burst };
}
