import { randomUUID } from 'node:crypto';
import { event, type NewEvent } from '@baedal/contracts';
import { outboxInsert } from '@baedal/events';
import { createAdsClient } from '@baedal/prisma/ads';
import { createOrdersClient } from '@baedal/prisma/orders';
import { createPaymentsClient } from '@baedal/prisma/payments';
import { createShopsClient } from '@baedal/prisma/shops';
import { bearer, codes, graphql, login } from './support/graphql';
import { eventually, startTestPlatform, type TestPlatform } from './support/stack';

/*
 * Ad money through the gateway, to the won: an owner tops up a shop's ad
 * wallet through payments (ads credits it from payments' event, once per
 * top-up), placements hold their price out of it or are refused, ending one
 * early gives back the unused days by the stated rule, and 100 starts at once
 * never overdraw it. After each step the ledger balances: every entry's
 * postings sum to zero.
 */

const BASE = 15500;
const FRESH_MS = 2000;
const DAY_MS = 24 * 3600_000;
/** The first price table (the migration's): ULTRA_CALL won per area for 30 days. */
const PER_30_DAYS: Record<string, number> = {
  GANGNAM: 300_000,
  SEOCHO: 270_000,
  SONGPA: 240_000,
  MAPO: 210_000,
  JONGNO: 180_000,
};
const AREAS = Object.keys(PER_30_DAYS);

let platform: TestPlatform;
let url: string;
let adsDb: ReturnType<typeof createAdsClient>;
let ordersDb: ReturnType<typeof createOrdersClient>;
let paymentsDb: ReturnType<typeof createPaymentsClient>;
let owner: { token: string; userId: string };
let otherOwner: { token: string; userId: string };
let admin: { token: string; userId: string };
let shopIds: string[];

beforeAll(async () => {
  platform = await startTestPlatform('admoney', BASE, 10, {
    // The concurrency test sends 100 starts at once from one owner.
    BAEDAL_RATE_LIMIT_ACCOUNT_MUTATIONS: '10000',
    // The clock's settlement, often enough to wait on.
    ADS_SETTLEMENT_MS: '500',
  });
  url = platform.gatewayUrl;
  adsDb = createAdsClient(platform.databaseUrl('ads'), 2);
  ordersDb = createOrdersClient(platform.databaseUrl('orders'), 1);
  paymentsDb = createPaymentsClient(platform.databaseUrl('payments'), 1);
  [owner, otherOwner, admin] = await Promise.all(
    ['owner1', 'owner2', 'admin'].map((name) => login(url, `${name}@baedal.dev`)),
  );
  const shopsDb = createShopsClient(platform.databaseUrl('shops'), 1);
  shopIds = (await shopsDb.shop.findMany({ where: { ownerId: owner.userId }, orderBy: { id: 'asc' } })).map(
    (s) => s.id,
  );
  await shopsDb.$disconnect();
  expect(shopIds.length).toBeGreaterThanOrEqual(2);
  // Payments learns who owns each shop from shop events, as ads does.
  await eventually('payments and ads know the owner’s shops', async () => {
    const refused = await graphql(url, TOP_UP, { s: shopIds[1], a: 1, k: 'probe' }, bearer(owner.token));
    const read = await graphql(url, WALLET, { s: shopIds[1] }, bearer(owner.token));
    return codes(refused)[0] === 'BAD_USER_INPUT' && !read.errors;
  });
}, 180_000);

afterAll(async () => {
  await Promise.all([adsDb, ordersDb, paymentsDb].map((client) => client?.$disconnect()));
  await platform?.stop();
}, 60_000);

const TOP_UP =
  'mutation($s: ID!, $a: Int!, $k: String!) { topUpAdWallet(shopId: $s, amount: $a, idempotencyKey: $k) { id status amount } }';
const WALLET = `query($s: ID!) { adWallet(shopId: $s) {
  balance held postings(first: 50) { edges { node { kind amount campaignId } } }
  statements { month opening credits debits closing }
} }`;
const START =
  'mutation($input: StartAdPlacementInput!) { startAdPlacement(input: $input) { id status price priceVersion } }';
const END = 'mutation($c: ID!) { endAdPlacement(campaignId: $c) { status price } }';

async function wallet(shopId: string, token = owner.token) {
  const answer = await graphql(url, WALLET, { s: shopId }, bearer(token));
  expect(answer.errors).toBeUndefined();
  return answer.data.adWallet as {
    balance: number;
    held: number;
    postings: { edges: { node: { kind: string; amount: number; campaignId: string | null } }[] };
    statements: { month: string; opening: number; credits: number; debits: number; closing: number }[];
  };
}

/** Tops up `amount` and waits for ads to credit it; the top-up's answer. */
async function topUp(shopId: string, amount: number, key = randomUUID()) {
  const before = (await wallet(shopId)).balance;
  const answer = await graphql(url, TOP_UP, { s: shopId, a: amount, k: key }, bearer(owner.token));
  expect(answer.errors).toBeUndefined();
  expect(answer.data.topUpAdWallet.status).toBe('APPROVED');
  await eventually('the top-up credited', async () => (await wallet(shopId)).balance === before + amount, FRESH_MS);
  return answer.data.topUpAdWallet as { id: string };
}

/** Every journal entry's postings sum to zero, and so do all postings together. */
async function expectLedgerBalanced() {
  const unbalanced = await adsDb.$queryRaw<{ entryId: string }[]>`
    SELECT "entryId" FROM "Posting" GROUP BY "entryId" HAVING SUM("amount") <> 0`;
  expect(unbalanced).toEqual([]);
  const [{ total }] = await adsDb.$queryRaw<{ total: bigint | null }[]>`SELECT SUM("amount") AS "total" FROM "Posting"`;
  expect(Number(total ?? 0)).toBe(0);
}

describe('an ad wallet', () => {
  it('is credited once per top-up, whatever is sent again', async () => {
    const shopId = shopIds[0];
    const key = randomUUID();
    const first = await topUp(shopId, 100_000, key);
    const again = await graphql(url, TOP_UP, { s: shopId, a: 100_000, k: key }, bearer(owner.token));
    expect(again.data.topUpAdWallet.id).toBe(first.id);
    const other = await graphql(url, TOP_UP, { s: shopId, a: 50_000, k: key }, bearer(owner.token));
    expect(codes(other)).toEqual(['CONFLICT']);
    // Given time to credit twice, it did not.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const shown = await wallet(shopId);
    expect(shown).toMatchObject({ balance: 100_000, held: 0 });
    expect(shown.postings.edges.map((e) => e.node)).toEqual([{ kind: 'TOP_UP', amount: 100_000, campaignId: null }]);
    await expectLedgerBalanced();
  });

  it('refuses what is not the owner’s or not an amount, charging nothing', async () => {
    const cases: [string, Record<string, unknown>, string, string][] = [
      ['another owner', { s: shopIds[0], a: 20_000, k: randomUUID() }, otherOwner.token, 'FORBIDDEN'],
      ['an admin', { s: shopIds[0], a: 20_000, k: randomUUID() }, admin.token, 'FORBIDDEN'],
      ['too little', { s: shopIds[0], a: 9_999, k: randomUUID() }, owner.token, 'BAD_USER_INPUT'],
      ['not whole won', { s: shopIds[0], a: 10_000.5, k: randomUUID() }, owner.token, 'BAD_USER_INPUT'],
      ['no such shop', { s: randomUUID(), a: 20_000, k: randomUUID() }, owner.token, 'NOT_FOUND'],
    ];
    for (const [, variables, token, code] of cases)
      expect(codes(await graphql(url, TOP_UP, variables, bearer(token)))).toEqual([code]);
    expect((await wallet(shopIds[0])).balance).toBe(100_000);
    expect(codes(await graphql(url, WALLET, { s: shopIds[0] }, bearer(otherOwner.token)))).toEqual(['FORBIDDEN']);
    // An admin reads any wallet.
    expect((await wallet(shopIds[0], admin.token)).balance).toBe(100_000);
  });

  it('holds a placement’s price, and refuses one that does not fit, writing nothing', async () => {
    const shopId = shopIds[0];
    const input = { shopId, product: 'ULTRA_CALL', area: 'JONGNO', days: 10 };
    const price = Math.floor((PER_30_DAYS.JONGNO * 10) / 30); // 60,000
    const started = await graphql(url, START, { input }, bearer(owner.token));
    expect(started.errors).toBeUndefined();
    expect(started.data.startAdPlacement).toMatchObject({ status: 'ACTIVE', price, priceVersion: 1 });
    // Held until the clock's settlement moves each day begun to revenue (day 1 begins at the start).
    const settled = async () => {
      const [{ total }] = await adsDb.$queryRaw<{ total: bigint | null }[]>`
        SELECT SUM(p."amount") AS "total" FROM "Posting" p JOIN "JournalEntry" e ON e."id" = p."entryId"
         WHERE e."campaignId" = ${started.data.startAdPlacement.id} AND p."account" LIKE 'revenue:%'`;
      return Number(total ?? 0);
    };
    // Read between two equal reads of what is settled, so the clock cannot move it in between.
    const heldIsPriceLessSettled = async (balance: number) => {
      const before = await settled();
      const shown = await wallet(shopId);
      expect(shown.balance).toBe(balance);
      return before === (await settled()) && shown.held === price - before;
    };
    await eventually('held: the price less the days settled', () => heldIsPriceLessSettled(100_000 - price), 2000);

    const campaigns = await adsDb.adCampaign.count({ where: { shopId } });
    const tooDear = { shopId, product: 'ULTRA_CALL', area: 'GANGNAM', days: 5 }; // 50,000 > 40,000
    const refused = await graphql(url, START, { input: tooDear }, bearer(owner.token));
    expect(codes(refused)).toEqual(['INSUFFICIENT_BALANCE']);
    expect(refused.errors?.[0].message).toMatch(/costs 50000 won and the ad wallet holds 40000/);
    expect(await adsDb.adCampaign.count({ where: { shopId } })).toBe(campaigns);
    await eventually('held: still the price less the days settled', () => heldIsPriceLessSettled(40_000), 2000);
    await expectLedgerBalanced();
  });

  it('gives back the unused days when a placement ends early: price − floor(price × used ÷ days)', async () => {
    const shopId = shopIds[0];
    const campaign = await adsDb.adCampaign.findFirstOrThrow({ where: { shopId, area: 'JONGNO', status: 'ACTIVE' } });
    // Three days begun: started two and a half days ago.
    await adsDb.adCampaign.update({
      where: { id: campaign.id },
      data: { startsAt: new Date(Date.now() - 2.5 * DAY_MS), endsAt: new Date(Date.now() + 7.5 * DAY_MS) },
    });
    const ended = await graphql(url, END, { c: campaign.id }, bearer(owner.token));
    expect(ended.data.endAdPlacement.status).toBe('ENDED');
    const charged = Math.floor((60_000 * 3) / 10); // 18,000
    expect(await wallet(shopId)).toMatchObject({ balance: 40_000 + (60_000 - charged), held: 0 });
    expect(codes(await graphql(url, END, { c: campaign.id }, bearer(owner.token)))).toEqual(['CONFLICT']);
    expect((await wallet(shopId)).balance).toBe(82_000);
    const today = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
    const revenue = await graphql(
      url,
      'query($f: String!, $t: String!) { adRevenue(from: $f, to: $t) { day product amount } }',
      { f: today, t: today },
      bearer(admin.token),
    );
    expect(revenue.data.adRevenue).toEqual([{ day: today, product: 'ULTRA_CALL', amount: charged }]);
    expect(codes(await graphql(url, WALLET, { s: shopId }))).toEqual(['UNAUTHENTICATED']);
    const { statements } = await wallet(shopId);
    expect(statements).toEqual([
      { month: today.slice(0, 7), opening: 0, credits: 100_000 + 42_000, debits: 60_000, closing: 82_000 },
    ]);
    await expectLedgerBalanced();
  });

  it('schedules a placement for later, and ending it before it starts gives back all of it', async () => {
    const shopId = shopIds[0];
    const startsAt = new Date(Date.now() + 2 * DAY_MS).toISOString();
    const input = { shopId, product: 'ULTRA_CALL', area: 'MAPO', days: 3, startsAt };
    const scheduled = await graphql(url, START, { input }, bearer(owner.token));
    expect(scheduled.data.startAdPlacement).toMatchObject({ status: 'SCHEDULED', price: 21_000 });
    expect((await wallet(shopId)).balance).toBe(82_000 - 21_000);
    const overlapping = { ...input, startsAt: new Date(Date.now() + 3 * DAY_MS).toISOString() };
    expect(codes(await graphql(url, START, { input: overlapping }, bearer(owner.token)))).toEqual(['CONFLICT']);
    await graphql(url, END, { c: scheduled.data.startAdPlacement.id }, bearer(owner.token));
    expect(await wallet(shopId)).toMatchObject({ balance: 82_000, held: 0 });
    await expectLedgerBalanced();
  });

  it('settles each day begun once, after a crash partway too, and ends the contract with its period', async () => {
    const shopId = shopIds[0];
    const input = { shopId, product: 'ULTRA_CALL', area: 'SONGPA', days: 5 };
    const started = await graphql(url, START, { input }, bearer(owner.token));
    const { id, price } = started.data.startAdPlacement as { id: string; price: number };
    expect(price).toBe(40_000);
    const settledDays = () => adsDb.journalEntry.count({ where: { campaignId: id, kind: 'SETTLE' } });
    const heldNow = async () => (await wallet(shopId)).held;
    // A settlement that crashed after posting day 1 (its entry, nothing after; the clock may have posted it
    // already, as day 1 begins at the start), then three days begun.
    const day1 = `settle:${id}:1`;
    await adsDb.$transaction(async (tx) => {
      const posted = await tx.$executeRaw`
        INSERT INTO "JournalEntry" ("id", "shopId", "kind", "campaignId") VALUES (${day1}, ${shopId}, 'SETTLE', ${id})
        ON CONFLICT DO NOTHING`;
      if (posted)
        await tx.posting.createMany({
          data: [
            { entryId: day1, account: `held:${shopId}`, amount: -8000 },
            { entryId: day1, account: 'revenue:ULTRA_CALL', amount: 8000 },
          ],
        });
    });
    await adsDb.adCampaign.update({
      where: { id },
      data: { startsAt: new Date(Date.now() - 2.5 * DAY_MS), endsAt: new Date(Date.now() + 2.5 * DAY_MS) },
    });
    await eventually('three days settled', async () => (await settledDays()) === 3, 5000);
    expect(await heldNow()).toBe(price - Math.floor((price * 3) / 5));
    // The period over: every day settled, once, nothing held, and the campaign ended.
    await adsDb.adCampaign.update({
      where: { id },
      data: { startsAt: new Date(Date.now() - 6 * DAY_MS), endsAt: new Date(Date.now() - DAY_MS) },
    });
    await eventually('the contract settled whole', async () => (await heldNow()) === 0, 5000);
    await new Promise((resolve) => setTimeout(resolve, 1200)); // two more rounds of the clock
    expect(await settledDays()).toBe(5);
    expect(await heldNow()).toBe(0);
    expect((await adsDb.adCampaign.findUniqueOrThrow({ where: { id } })).status).toBe('ENDED');
    expect((await wallet(shopId)).balance).toBe(82_000 - price);
    await expectLedgerBalanced();
  });

  it('is never overdrawn by 100 starts at once', async () => {
    const shopId = shopIds[1];
    await topUp(shopId, 100_000);
    // 100 one-day placements that do not overlap: 20 days ahead in each of the 5 areas.
    const inputs = Array.from({ length: 100 }, (_, i) => ({
      shopId,
      product: 'ULTRA_CALL',
      area: AREAS[i % 5],
      days: 1,
      startsAt: new Date(Date.now() + (1 + Math.floor(i / 5)) * DAY_MS).toISOString(),
    }));
    const answers = await Promise.all(inputs.map((input) => graphql(url, START, { input }, bearer(owner.token))));
    const won = answers.flatMap((a, i) => (a.errors ? [] : [inputs[i]]));
    const refused = answers.flatMap((a, i) => (a.errors ? [inputs[i]] : []));
    expect(new Set(answers.flatMap(codes))).toEqual(new Set(refused.length ? ['INSUFFICIENT_BALANCE'] : []));
    const priceOf = (input: { area: string }) => Math.floor(PER_30_DAYS[input.area] / 30);
    const spent = won.reduce((sum, input) => sum + priceOf(input), 0);
    const shown = await wallet(shopId);
    expect(shown).toMatchObject({ balance: 100_000 - spent, held: spent });
    expect(shown.balance).toBeGreaterThanOrEqual(0);
    // Each refusal was right when it was decided: nothing refused would fit what is left now.
    expect(refused.length).toBeGreaterThan(0);
    expect(shown.balance).toBeLessThan(Math.min(...refused.map(priceOf)));
    expect(await adsDb.adCampaign.count({ where: { shopId } })).toBe(won.length);
    await expectLedgerBalanced();
  });
});

/** An event written into a domain's outbox, as its command would: the relay and consumers carry it on. */
async function publish(db: { $executeRawUnsafe(sql: string, ...values: unknown[]): Promise<number> }, e: NewEvent) {
  const insert = outboxInsert([e]);
  await db.$executeRawUnsafe(insert.sql, ...insert.values);
}

const delivered = (shopId: string, orderId: string, itemsTotal: number) =>
  event('order.delivered', orderId, 6, {
    orderId,
    customerId: randomUUID(),
    shopId,
    shopOwnerId: owner.userId,
    status: 'DELIVERED',
    itemsTotal,
    deliveryFee: 3000,
    total: itemsTotal + 3000,
    deliveryArea: 'JONGNO',
    reason: null,
    estimatedCookingMinutes: 20,
    paymentId: null,
  });
const refunded = (orderId: string) =>
  event('payment.refunded', randomUUID(), 2, { paymentId: randomUUID(), orderId, amount: 1 });

describe('OPEN_LIST fees', () => {
  const fees = (shopId: string) =>
    adsDb.journalEntry.findMany({
      where: { shopId, kind: { in: ['FEE', 'FEE_REVERSAL'] } },
      orderBy: { postedAt: 'asc' },
    });
  const placedAs = async (shopId: string) =>
    (await graphql(url, '{ shop(id: "' + shopId + '") { adPlacement(area: JONGNO) { product } } }')).data?.shop
      ?.adPlacement?.product ?? null;

  it('charges a delivered order once, 6.8% of its items total at least 300 won, and gives it back on refund', async () => {
    const shopId = shopIds[0];
    const input = { shopId, product: 'OPEN_LIST', area: 'JONGNO', days: 30 };
    expect((await graphql(url, START, { input }, bearer(owner.token))).data.startAdPlacement.price).toBe(0);
    const start = (await wallet(shopId)).balance;
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    await publish(ordersDb, delivered(shopId, a, 23_456)); // floor(23,456 × 6.8%) = 1,595
    await publish(ordersDb, delivered(shopId, a, 23_456)); // the same delivery told twice
    await publish(ordersDb, delivered(shopId, b, 1_000)); // 68 won: the 300 won floor
    // Reordered: the refund heard before the delivery; no fee stands.
    await publish(paymentsDb, refunded(c));
    await publish(ordersDb, delivered(shopId, c, 50_000));
    await eventually('two fees charged', async () => (await wallet(shopId)).balance === start - 1_595 - 300, FRESH_MS);
    await publish(paymentsDb, refunded(a));
    await publish(paymentsDb, refunded(a));
    await eventually(
      'the refunded order’s fee back',
      async () => (await wallet(shopId)).balance === start - 300,
      FRESH_MS,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await fees(shopId)).map((e) => e.id)).toEqual([`fee:${a}`, `fee:${b}`, `fee-reversal:${a}`]);
    expect((await wallet(shopId)).balance).toBe(start - 300);
    await expectLedgerBalanced();
  });

  it('may take a wallet below zero, which pauses OPEN_LIST and new placements until a top-up', async () => {
    const shopId = shopIds[0];
    await eventually('placed by OPEN_LIST', async () => (await placedAs(shopId)) === 'OPEN_LIST', FRESH_MS);
    const start = (await wallet(shopId)).balance;
    const fee = Math.floor((2_000_000 * 680) / 10_000); // 136,000
    expect(fee).toBeGreaterThan(start);
    await publish(ordersDb, delivered(shopId, randomUUID(), 2_000_000));
    await eventually('below zero', async () => (await wallet(shopId)).balance === start - fee, FRESH_MS);
    await eventually('OPEN_LIST paused in the list', async () => (await placedAs(shopId)) === null, FRESH_MS);
    const refused = await graphql(
      url,
      START,
      { input: { shopId, product: 'OPEN_LIST', area: 'SEOCHO', days: 1 } },
      bearer(owner.token),
    );
    expect(codes(refused)).toEqual(['INSUFFICIENT_BALANCE']);
    // Delivered while paused: not placed, so no fee.
    await publish(ordersDb, delivered(shopId, randomUUID(), 10_000));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await wallet(shopId)).balance).toBe(start - fee);
    await topUp(shopId, fee - start + 10_000);
    await eventually('OPEN_LIST placed again', async () => (await placedAs(shopId)) === 'OPEN_LIST', FRESH_MS);
    expect((await wallet(shopId)).balance).toBe(10_000);
    await expectLedgerBalanced();
  });
});

describe('a new price table', () => {
  const PUBLISH = `mutation($input: AdPriceTableInput!) { publishAdPriceTable(input: $input) {
    version openListBasisPoints ultraCallPer30Days { area won } } }`;
  const table = (effectiveFrom: Date, jongno = 90_000) => ({
    effectiveFrom: effectiveFrom.toISOString(),
    ultraCallPer30Days: AREAS.map((area) => ({ area, won: area === 'JONGNO' ? jongno : PER_30_DAYS[area] })),
    openListBasisPoints: 1000,
    openListFloorWon: 500,
  });

  it('prices contracts made from its start; those made before keep theirs', async () => {
    expect(
      codes(await graphql(url, PUBLISH, { input: table(new Date(Date.now() + 1000)) }, bearer(owner.token))),
    ).toEqual(['FORBIDDEN']);
    const past = await graphql(url, PUBLISH, { input: table(new Date(Date.now() - 1000)) }, bearer(admin.token));
    expect(codes(past)).toEqual(['BAD_USER_INPUT']);
    expect(past.errors?.[0].message).toMatch(/new contracts only/);
    const missing = { ...table(new Date(Date.now() + 1000)), ultraCallPer30Days: [{ area: 'MAPO', won: 1 }] };
    expect(codes(await graphql(url, PUBLISH, { input: missing }, bearer(admin.token)))).toEqual(['BAD_USER_INPUT']);
    expect(await adsDb.adPriceTable.count()).toBe(1);

    const effectiveFrom = new Date(Date.now() + 1500);
    const published = await graphql(url, PUBLISH, { input: table(effectiveFrom) }, bearer(admin.token));
    expect(published.data.publishAdPriceTable).toMatchObject({ version: 2, openListBasisPoints: 1000 });
    await new Promise((resolve) => setTimeout(resolve, effectiveFrom.getTime() - Date.now() + 100));
    const shopId = shopIds[1];
    await topUp(shopId, 20_000);
    // Far enough ahead to miss the concurrency test's bookings.
    const startsAt = new Date(Date.now() + 40 * DAY_MS).toISOString();
    const input = { shopId, product: 'ULTRA_CALL', area: 'JONGNO', days: 3, startsAt };
    const started = await graphql(url, START, { input }, bearer(owner.token));
    expect(started.data.startAdPlacement).toMatchObject({ price: 9_000, priceVersion: 2 });
  });

  it('leaves OPEN_LIST fees of contracts made before at their own table', async () => {
    const shopId = shopIds[0];
    const start = (await wallet(shopId)).balance;
    // shopIds[0]'s OPEN_LIST was made under version 1 (6.8%, at least 300); version 2 asks 10%, at least 500.
    await publish(ordersDb, delivered(shopId, randomUUID(), 10_000));
    await eventually('the fee charged', async () => (await wallet(shopId)).balance === start - 680, FRESH_MS);
  });
});
