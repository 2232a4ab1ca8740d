import { randomUUID } from 'node:crypto';
import type { EventEnvelope, EventPayloads, EventType, ShopInfo } from '@baedal/contracts';
import { applyOnce } from '@baedal/events';
import { replica } from '@baedal/orders/events';
import { dropDatabase, ensureDatabase, migrate } from '@baedal/prisma';
import { createOrdersClient } from '@baedal/prisma/orders';
import { createPool, rawSql } from '@baedal/prisma/clients';
import { createShopsClient } from '@baedal/prisma/shops';
import { projection, projectionTransaction } from '@baedal/shops/events';
import { CLOCK_DUE_SQL, refreshClockKeys } from '@baedal/shops/projection';
import { DOCUMENTS_SQL, listQuery, SEARCH_SQL, searchShopIds } from '@baedal/shops/queryModel';
import { PG_URL } from './support/stack';

/*
 * The customer query model and the orders replica, fed events directly:
 * duplicated and reordered delivery leave them right, and with 20,000 shops
 * the list, detail and search queries use indexes.
 *
 * Long on purpose: its tests share the fixtures set up above them (test/README.md).
 */

const prefix = `baedal_qm_${process.pid}`;
let shops: ReturnType<typeof createShopsClient>;
let shopsPool: ReturnType<typeof createPool>;
let orders: ReturnType<typeof createOrdersClient>;

beforeAll(async () => {
  for (const service of ['shops', 'orders'] as const) {
    await dropDatabase(`${prefix}_${service}`);
    await ensureDatabase(`${prefix}_${service}`);
    await migrate(service, `${PG_URL}/${prefix}_${service}`);
  }
  shopsPool = createPool(`${PG_URL}/${prefix}_shops`, 3);
  // As the workers run it: reads through the driver, writes through Prisma, on one pool.
  shops = createShopsClient(shopsPool);
  orders = createOrdersClient(`${PG_URL}/${prefix}_orders`, 3);
}, 60_000);

afterAll(async () => {
  await Promise.all([shops?.$disconnect(), orders?.$disconnect()]);
  for (const service of ['shops', 'orders']) await dropDatabase(`${prefix}_${service}`);
}, 60_000);

function envelope<T extends EventType>(
  type: T,
  aggregateId: string,
  version: number,
  payload: EventPayloads[T],
): EventEnvelope<T> {
  return { id: randomUUID(), type, version, occurredAt: new Date().toISOString(), aggregateId, payload };
}

const allDay = Array.from({ length: 7 }, (_, day) => ({ day, opens: '00:00', closes: '00:00' }));
const info = (shopId: string, over: Partial<ShopInfo> = {}): ShopInfo => ({
  shopId,
  ownerId: 'owner',
  name: '피자마루 본점',
  category: 'PIZZA',
  description: '',
  minimumOrder: 10000,
  deliveryFee: 2000,
  deliveryAreas: ['MAPO', 'JONGNO'],
  openingHours: allDay,
  isOpen: true,
  ...over,
});
const menu = (shopId: string, price: number) => ({
  shopId,
  groups: [
    {
      id: 'g1',
      name: '피자',
      items: [{ id: `${shopId}-i1`, name: '페퍼로니피자', description: '', price, soldOut: false, optionGroups: [] }],
    },
  ],
});

const toShops = (e: EventEnvelope) =>
  applyOnce('shops', e, projection, projectionTransaction(shops, rawSql(shopsPool)));
const toOrders = (e: EventEnvelope) => applyOnce('orders', e, replica, (work) => orders.$transaction(work));

describe('shops projection', () => {
  it('applies a duplicated event once and ignores older versions delivered late', async () => {
    const shopId = randomUUID();
    const v1 = envelope('shop.registered', shopId, 1, info(shopId));
    const v2 = envelope('shop.updated', shopId, 2, info(shopId, { name: '피자마루 마포점', deliveryFee: 0 }));
    const v3 = envelope(
      'shop.closed',
      shopId,
      3,
      info(shopId, { name: '피자마루 마포점', deliveryFee: 0, isOpen: false }),
    );
    const m4 = envelope('menu.updated', shopId, 4, menu(shopId, 21000));
    const m2 = envelope('menu.updated', shopId, 2, menu(shopId, 19000));

    // Out of order, with duplicates: v3, m4, v1, v2, v3 again, m2 (stale), m4 again.
    const results = [];
    for (const e of [v3, m4, v1, v2, v3, m2, m4]) results.push(await toShops(e));
    expect(results).toEqual(['applied', 'applied', 'applied', 'applied', 'duplicate', 'applied', 'duplicate']);

    const view = await shops.shopView.findUniqueOrThrow({ where: { shopId } });
    expect(view).toMatchObject({
      name: '피자마루 마포점',
      deliveryFee: 0,
      isOpen: false,
      infoVersion: 3,
      menuVersion: 4,
    });
    expect((view.menu as any)[0].items[0].price).toBe(21000);
    expect(view.searchText).toContain('페퍼로니피자');
    const listing = await shops.shopListing.findMany({ where: { shopId }, orderBy: { area: 'asc' } });
    expect(listing.map((l) => [l.area, l.closedRank, l.deliveryFee])).toEqual([
      ['JONGNO', 1, 0],
      ['MAPO', 1, 0],
    ]);
    expect(await shops.processedEvent.count({ where: { consumer: 'shops' } })).toBe(5); // five distinct events
  });

  it('keeps ad placements and review stats in the document and ranks by them', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    for (const id of [a, b]) await toShops(envelope('shop.registered', id, 1, info(id, { deliveryAreas: ['SONGPA'] })));
    await toShops(envelope('review.stats.changed', a, 2, { shopId: a, reviewCount: 2, ratingSum: 10 }));
    await toShops(envelope('review.stats.changed', a, 1, { shopId: a, reviewCount: 1, ratingSum: 1 })); // stale
    const now = Date.now();
    const placement = {
      campaignId: 'c1',
      area: 'SONGPA',
      product: 'OPEN_LIST' as const,
      startsAt: new Date(now - 1000).toISOString(),
      endsAt: new Date(now + 3600_000).toISOString(),
    };
    await toShops(envelope('ad.placement.changed', b, 1, { shopId: b, placements: [placement] }));

    const songpa = listQuery({ area: 'SONGPA', sort: 'RECOMMENDED', first: 20 });
    const ranked = await shops.$queryRawUnsafe<{ shopId: string }[]>(songpa.sql, ...songpa.values);
    expect(ranked.map((r) => r.shopId)).toEqual([b, a]); // advertised first, then the 5-star shop
    expect(await shops.shopView.findUniqueOrThrow({ where: { shopId: a } })).toMatchObject({
      reviewCount: 2,
      ratingSum: 10,
      ratingVersion: 2,
    });

    await toShops(envelope('ad.placement.changed', b, 2, { shopId: b, placements: [] }));
    const after = await shops.$queryRawUnsafe<{ shopId: string }[]>(songpa.sql, ...songpa.values);
    expect(after.map((r) => r.shopId)).toEqual([a, b]);
  });
});

describe('ULTRA_CALL slots in the list', () => {
  it('list in the order they were booked, above OPEN_LIST, whatever the ratings', async () => {
    const [first, second, open]: string[] = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of [first, second, open])
      await toShops(envelope('shop.registered', id, 1, info(id, { deliveryAreas: ['SEOCHO'] })));
    // Rated as the reverse of the booking order: the later booked shop has five stars, the open-list one too.
    await toShops(envelope('review.stats.changed', second, 1, { shopId: second, reviewCount: 4, ratingSum: 20 }));
    await toShops(envelope('review.stats.changed', open, 1, { shopId: open, reviewCount: 4, ratingSum: 20 }));
    await toShops(envelope('review.stats.changed', first, 1, { shopId: first, reviewCount: 4, ratingSum: 8 }));
    const now = Date.now();
    const placement = (product: 'ULTRA_CALL' | 'OPEN_LIST', bookedAt: number) => ({
      campaignId: randomUUID(),
      area: 'SEOCHO',
      product,
      startsAt: new Date(now - 60_000).toISOString(),
      endsAt: new Date(now + 3600_000).toISOString(),
      bookedAt: new Date(bookedAt).toISOString(),
    });
    for (const [shopId, booked] of [
      [second, placement('ULTRA_CALL', now - 5_000)],
      [first, placement('ULTRA_CALL', now - 9_000)],
      [open, placement('OPEN_LIST', now - 20_000)],
    ] as const)
      await toShops(envelope('ad.placement.changed', shopId, 1, { shopId, placements: [booked] }));
    const seocho = listQuery({ area: 'SEOCHO', sort: 'RECOMMENDED', first: 50 });
    const ranked = (await shops.$queryRawUnsafe<{ shopId: string }[]>(seocho.sql, ...seocho.values))
      .map((r) => r.shopId)
      .filter((id) => [first, second, open].includes(id));
    expect(ranked).toEqual([first, second, open]);
  });
});

describe('orders replica', () => {
  it('keeps the newest shop terms and menu whatever order they arrive in', async () => {
    const shopId = randomUUID();
    const events = [
      envelope('menu.updated', shopId, 3, menu(shopId, 23000)),
      envelope('shop.registered', shopId, 1, info(shopId)),
      envelope('shop.updated', shopId, 2, info(shopId, { minimumOrder: 15000 })),
      envelope('menu.updated', shopId, 1, menu(shopId, 20000)),
    ];
    for (const e of [...events, events[0], events[2]]) await toOrders(e);
    expect(await orders.shopReplica.findUniqueOrThrow({ where: { shopId } })).toMatchObject({
      minimumOrder: 15000,
      version: 2,
      menuVersion: 3,
      isOpen: true,
    });
    expect((await orders.menuItemReplica.findMany({ where: { shopId } })).map((m) => m.price)).toEqual([23000]);
  });
});

describe('clock refresh', () => {
  /**
   * A shop open 10:00-15:00 and 15:00-22:00 in Seoul (two intervals, so nothing changes at 15:00),
   * refreshed at 11:00 (02:00 UTC) tomorrow: open then, with 15:00 its next moment.
   */
  async function splitShopAtEleven() {
    const shopId = randomUUID();
    const split = Array.from({ length: 7 }, (_, day) => [
      { day, opens: '10:00', closes: '15:00' },
      { day, opens: '15:00', closes: '22:00' },
    ]).flat();
    await toShops(envelope('shop.registered', shopId, 1, info(shopId, { openingHours: split })));
    const eleven = new Date(Date.now() + 24 * 3600_000);
    eleven.setUTCHours(2, 0, 0, 0);
    await refreshClockKeys(rawSql(shopsPool), shops, eleven);
    return { shopId, split, fifteen: new Date(eleven.getTime() + 4 * 3600_000) };
  }

  it("rewrites a shop's listing rows when the clock changes its keys, and not before", async () => {
    const [changing, paused] = [randomUUID(), randomUUID()];
    const dayTime = Array.from({ length: 7 }, (_, day) => ({ day, opens: '10:00', closes: '22:00' }));
    await toShops(envelope('shop.registered', changing, 1, info(changing, { openingHours: dayTime })));
    await toShops(envelope('shop.registered', paused, 1, info(paused, { openingHours: dayTime, isOpen: false })));
    const keysChangeAt = async (shopId: string) =>
      (await shops.shopView.findUniqueOrThrow({ where: { shopId } })).keysChangeAt;
    const closedRanks = async (shopId: string) =>
      (await shops.shopListing.findMany({ where: { shopId } })).map((l) => l.closedRank);

    // It opens or closes next at 10:00 or 22:00 in Seoul; a paused shop changes only by its owner's event.
    const change = (await keysChangeAt(changing))!;
    expect(change.getTime()).toBeGreaterThan(Date.now());
    expect(['01:00', '13:00']).toContain(change.toISOString().slice(11, 16));
    expect(await keysChangeAt(paused)).toBeNull();
    const before = await closedRanks(changing);

    // A minute before, it is not due: rows left as they are (made wrong here, to tell).
    await shops.shopListing.updateMany({ where: { shopId: changing }, data: { closedRank: 7 } });
    await refreshClockKeys(rawSql(shopsPool), shops, new Date(change.getTime() - 60_000));
    expect(await closedRanks(changing)).toEqual([7, 7]);

    // At the moment, its rows flip between open and closed, and its next moment is twelve hours on.
    await refreshClockKeys(rawSql(shopsPool), shops, change);
    expect(await closedRanks(changing)).toEqual(before.map((rank) => 1 - rank));
    expect((await keysChangeAt(changing))!.getTime()).toBe(change.getTime() + 12 * 3600_000);
    expect(await closedRanks(paused)).toEqual([1, 1]);
  });

  it('gives a shop whose keys stay the same at its moment (one interval ends as the next begins) its next moment, rows untouched', async () => {
    const { shopId, fifteen } = await splitShopAtEleven();
    expect((await shops.shopView.findUniqueOrThrow({ where: { shopId } })).keysChangeAt).toEqual(fifteen);
    // At 15:00 it stays open: its rows are left as they are (marked here, to tell), its next moment is 22:00.
    await shops.shopListing.updateMany({ where: { shopId }, data: { deliveryFee: 99_999 } });
    await refreshClockKeys(rawSql(shopsPool), shops, fifteen);
    expect((await shops.shopListing.findMany({ where: { shopId } })).map((l) => [l.closedRank, l.deliveryFee])).toEqual(
      [
        [0, 99_999],
        [0, 99_999],
      ],
    );
    expect((await shops.shopView.findUniqueOrThrow({ where: { shopId } })).keysChangeAt).toEqual(
      new Date(fifteen.getTime() + 7 * 3600_000),
    );
  });

  it("leaves the next moment an event set while it ran: it does not write one from the shop's older terms", async () => {
    const { shopId, split, fifteen } = await splitShopAtEleven();
    // At 15:00 its keys stay the same; as the refresh is about to give it 22:00, its owner pauses it.
    const sql = rawSql(shopsPool);
    const racing = {
      ...sql,
      $queryRawUnsafe: sql.$queryRawUnsafe.bind(sql),
      $executeRawUnsafe: async (query: string, ...values: unknown[]) => {
        if (query.startsWith('UPDATE "ShopView" v SET "keysChangeAt"'))
          await toShops(envelope('shop.closed', shopId, 2, info(shopId, { openingHours: split, isOpen: false })));
        return sql.$executeRawUnsafe(query, ...values);
      },
    };
    await refreshClockKeys(racing, shops, fifteen);
    // Paused, it has no next moment until its owner opens it again.
    expect((await shops.shopView.findUniqueOrThrow({ where: { shopId } })).keysChangeAt).toBeNull();
  });
});

describe('with 20,000 shops', () => {
  const plans: string[] = [];

  beforeAll(async () => {
    // Fill the query model the fast way; the planner only needs realistic sizes and statistics.
    await shops.$executeRawUnsafe(`
      INSERT INTO "ShopView" ("shopId", "ownerId", "name", "category", "deliveryAreas", "searchText", "infoVersion", "menuVersion")
      SELECT 'bulk-' || n, 'o' || (n % 4000), '가게' || n, (ARRAY['CHICKEN','PIZZA','KOREAN','CHINESE','JAPANESE','BUNSIK','JOKBAL_BOSSAM','CAFE_DESSERT','FAST_FOOD','NIGHT_SNACK'])[1 + n % 10],
             ARRAY[(ARRAY['GANGNAM','SEOCHO','SONGPA','MAPO','JONGNO'])[1 + n % 5]],
             '가게' || n || ' 후라이드치킨 양념치킨 ' || CASE WHEN n % 100 = 0 THEN '족발 ' ELSE '' END || md5(n::text), 1, 1
      FROM generate_series(1, 20000) n`);
    await shops.$executeRawUnsafe(`
      INSERT INTO "ShopListing" ("area", "shopId", "category", "adRank", "closedRank", "ratingKey", "reviewKey", "deliveryFee", "minimumOrder")
      SELECT v."deliveryAreas"[1], v."shopId", v."category", CASE WHEN random() < 0.1 THEN 0 ELSE 2 END, (random() < 0.3)::int,
             -(random() * 500)::int, -(random() * 100)::int, (random() * 40)::int * 100, (random() * 20)::int * 1000
      FROM "ShopView" v WHERE v."shopId" LIKE 'bulk-%'`);
    // Each shop's next opening or closing time, spread over the coming week.
    await shops.$executeRawUnsafe(
      `UPDATE "ShopView" SET "keysChangeAt" = now() AT TIME ZONE 'UTC' + (hashtext("shopId") % 10080 + 10080) * interval '1 minute' WHERE "shopId" LIKE 'bulk-%'`,
    );
    await shops.$executeRawUnsafe('ANALYZE "ShopView"');
    await shops.$executeRawUnsafe('ANALYZE "ShopListing"');
  }, 60_000);

  async function explain(sql: string, ...values: unknown[]): Promise<string> {
    const rows = await shops.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(`EXPLAIN ${sql}`, ...values);
    const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
    plans.push(plan);
    return plan;
  }

  it.each([
    ['RECOMMENDED', false],
    ['RECOMMENDED', true],
    ['DELIVERY_FEE', false],
    ['DELIVERY_FEE', true],
    ['MINIMUM_ORDER', true],
    ['RATING', false],
    ['RATING', true],
  ] as const)('lists by %s (category: %s) with an index scan of ShopListing', async (sort, withCategory) => {
    const { sql, values } = listQuery({ area: 'MAPO', category: withCategory ? 'PIZZA' : null, sort, first: 20 });
    const plan = await explain(sql, ...values);
    expect(plan).toMatch(/Index (Only )?Scan using "ShopListing_area/);
    expect(plan).toMatch(/Index Scan using "ShopView_pkey"/);
    expect(plan).not.toMatch(/Seq Scan/);
  });

  it('continues after a cursor, and lists the advertised shops, with index scans', async () => {
    const next = listQuery({ area: 'MAPO', sort: 'RECOMMENDED', first: 20, after: [2, 0, -300, -50, 'bulk-1'] });
    expect(await explain(next.sql, ...next.values)).not.toMatch(/Seq Scan/);
    const advertised = listQuery({ area: 'MAPO', sort: 'RECOMMENDED', first: 20, advertisedOnly: true });
    expect(await explain(advertised.sql, ...advertised.values)).not.toMatch(/Seq Scan/);
  });

  it("keeps each area's category counts equal to its listing, whoever writes it", async () => {
    const counted = async () =>
      (
        await shops.areaCategoryCount.findMany({
          where: { shopCount: { not: 0 } },
          orderBy: [{ area: 'asc' }, { category: 'asc' }],
        })
      ).map((c) => [c.area, c.category, c.shopCount]);
    const grouped = async () =>
      (
        await shops.shopListing.groupBy({
          by: ['area', 'category'],
          _count: { _all: true },
          orderBy: [{ area: 'asc' }, { category: 'asc' }],
        })
      ).map((g) => [g.area, g.category, g._count._all]);
    // The bulk insert above, and the projection's shops from the first block.
    expect((await counted()).length).toBeGreaterThanOrEqual(10);
    expect(await counted()).toEqual(await grouped());

    await shops.$executeRawUnsafe(
      `UPDATE "ShopListing" SET "category" = 'CAFE_DESSERT', "area" = 'SONGPA' WHERE "shopId" IN ('bulk-1', 'bulk-2', 'bulk-3')`,
    );
    await shops.shopListing.deleteMany({ where: { shopId: { in: ['bulk-4', 'bulk-5', 'bulk-6'] } } });
    expect(await counted()).toEqual(await grouped());

    // Concurrent projections of shops moving between areas and categories.
    const ids = Array.from({ length: 12 }, () => randomUUID());
    await Promise.all(ids.map((id) => toShops(envelope('shop.registered', id, 1, info(id)))));
    await Promise.all(
      ids.map((id, i) =>
        toShops(
          envelope(
            'shop.updated',
            id,
            2,
            info(id, {
              category: i % 2 ? 'CHICKEN' : 'KOREAN',
              deliveryAreas: i % 3 ? ['GANGNAM', 'MAPO'] : ['SEOCHO'],
            }),
          ),
        ),
      ),
    );
    expect(await counted()).toEqual(await grouped());
    expect((await counted()).find(([area, category]) => area === 'SEOCHO' && category === 'KOREAN')).toBeDefined();
  });

  it('finds the shops the clock refresh is due to rewrite through an index, not a scan of every shop', async () => {
    const plan = await explain(CLOCK_DUE_SQL, new Date().toISOString());
    expect(plan).toMatch(/Index Scan (using|on) "ShopView_keysChangeAt_idx"/);
    expect(plan).not.toMatch(/Seq Scan/);
  });

  it("rewrites one shop's listing rows through an index, not a scan of every listing", async () => {
    // What the projection runs for every change of a shop's document (rewriteListing).
    const plan = await explain('DELETE FROM "ShopListing" WHERE "shopId" = $1', 'bulk-7');
    expect(plan).toMatch(/ShopListing_shopId_idx/);
    expect(plan).not.toMatch(/Seq Scan/);
  });

  it('opens a detail by primary key and searches through an index, for words of two characters too', async () => {
    expect(await explain(DOCUMENTS_SQL, ['bulk-7'])).toMatch(/Index Scan using "ShopView_pkey"/);
    const search = await explain(SEARCH_SQL, '%가게123%', 'MAPO', 20, '가게123');
    expect(search).toMatch(/ShopView_search(Text|Grams)_idx/);
    expect(search).not.toMatch(/Seq Scan/);
    // A two-character word has no trigram: the pieces kept by the trigger serve it.
    const short = await explain(SEARCH_SQL, '%족발%', null, 20, '족발');
    expect(short).toMatch(/ShopView_searchGrams_idx/);
    expect(short).not.toMatch(/Seq Scan/);
    // A word every shop's menu has: walk the most reviewed shops and stop at a page, not check and rank them all.
    const common = await explain(SEARCH_SQL, '%치킨%', null, 20, '치킨');
    expect(common).toMatch(/Index Scan using "ShopView_reviewCount_shopId_idx"/);
    expect(common).not.toMatch(/Seq Scan/);
  });

  it('keeps the two-character pieces with every write of the search text, and finds exactly the shops containing the word', async () => {
    const [bulk] = await shops.$queryRawUnsafe<{ searchGrams: string[] }[]>(
      `SELECT "searchGrams" FROM "ShopView" WHERE "shopId" = 'bulk-42'`,
    );
    expect(bulk.searchGrams).toEqual(expect.arrayContaining(['가게', '치킨', '양념', ' 양']));
    await shops.$executeRawUnsafe(`UPDATE "ShopView" SET "searchText" = '가게42 곱창전골' WHERE "shopId" = 'bulk-42'`);
    const [moved] = await shops.$queryRawUnsafe<{ searchGrams: string[] }[]>(
      `SELECT "searchGrams" FROM "ShopView" WHERE "shopId" = 'bulk-42'`,
    );
    expect(moved.searchGrams.sort()).toEqual([' 곱', '2 ', '42', '가게', '게4', '곱창', '전골', '창전'].sort());
    expect(await searchShopIds(shops, '곱창', null, 20)).toEqual(['bulk-42']);
    const pigsFeet = await searchShopIds(shops, '족발', null, 1000);
    expect(pigsFeet).toHaveLength(200);
    expect(pigsFeet.every((id) => Number(id.slice('bulk-'.length)) % 100 === 0)).toBe(true);
    expect(await searchShopIds(shops, '치킨', 'MAPO', 5)).toHaveLength(5);
  });

  it('ranks the shops whose name has the words first, then the most reviewed, exactly as checking every shop would', async () => {
    // Some shops renamed as the projection renames them (the text starts with the name; the trigger keeps the
    // name's pieces), reviews spread, ties left to the shop id.
    await shops.$executeRawUnsafe(
      `UPDATE "ShopView" SET "reviewCount" = abs(hashtext("shopId")) % 300 WHERE "shopId" LIKE 'bulk-%'`,
    );
    const rename = (prefix: string, where: string) =>
      shops.$executeRawUnsafe(
        `UPDATE "ShopView" SET "name" = '${prefix}' || "name", "searchText" = '${prefix}' || "searchText" WHERE ${where}`,
      );
    await rename('치킨', `"shopId" LIKE 'bulk-%' AND substr("shopId", 6)::int % 37 = 0`);
    await rename('족발집', `"shopId" IN ('bulk-100', 'bulk-7')`);
    await shops.$executeRawUnsafe('ANALYZE "ShopView"');
    const everyShop = async (words: string, area: string | null, first: number) =>
      (
        await shops.$queryRawUnsafe<{ shopId: string }[]>(
          `SELECT "shopId" FROM "ShopView" WHERE "infoVersion" > 0 AND "searchText" ILIKE $1 AND ($2::text IS NULL OR "deliveryAreas" @> ARRAY[$2::text])
           ORDER BY ("name" ILIKE $1) DESC, "reviewCount" DESC, "shopId" LIMIT $3`,
          `%${words}%`,
          area,
          first,
        )
      ).map((r) => r.shopId);
    const cases: [string, string | null, number][] = [
      ['치킨', null, 20],
      ['치킨', 'MAPO', 20],
      ['치킨', null, 600],
      ['족발', null, 20],
      ['족발', 'SEOCHO', 10],
      ['가게123', null, 20],
      ['곱창', null, 20],
      ['후라이드치킨', 'JONGNO', 20],
      ['없는말', null, 20],
    ];
    for (const [words, area, first] of cases) {
      const expected = await everyShop(words, area, first);
      expect({ words, area, first, found: await searchShopIds(shops, words, area, first) }).toEqual({
        words,
        area,
        first,
        found: expected,
      });
    }
    // The cases cross from names to menus: 540 renamed shops have 치킨 in the name, and the first page is theirs.
    expect((await everyShop('치킨', null, 600)).slice(539, 542).map((id) => Number(id.slice(5)) % 37 === 0)).toEqual([
      true,
      false,
      false,
    ]);
    // Two shops named for 족발 come before the 200 whose menus alone have it, whatever their reviews.
    expect((await searchShopIds(shops, '족발', null, 2)).sort()).toEqual(['bulk-100', 'bulk-7']);
  });
});
