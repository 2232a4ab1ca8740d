import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createOrdersClient } from '@baedal/prisma/orders';
import { createReviewsClient } from '@baedal/prisma/reviews';
import { createShopsClient } from '@baedal/prisma/shops';
import { bearer, codes, graphql, login, type GraphQLResponse } from '../support/graphql';
import { eventually, type TestPlatform } from '../support/stack';

/*
 * The shops domain through the gateway: owner commands and every refusal,
 * the customer query model (home, ranked list, detail, search) kept fresh
 * from events within 2 seconds, ad placements and review stats from the ads
 * and reviews domains, and a rebuild of the model from scratch.
 *
 * Long on purpose: its tests share the fixtures set up above them (test/README.md).
 */

const FRESH_MS = 2000;
export function shopsSuite(shared: () => TestPlatform): void {
  let platform: TestPlatform;
  let url: string;
  let shopsDb: ReturnType<typeof createShopsClient>;
  let ordersDb: ReturnType<typeof createOrdersClient>;
  let reviewsDb: ReturnType<typeof createReviewsClient>;
  let owner: { token: string; userId: string };
  let otherOwner: { token: string; userId: string };
  let customer: { token: string; userId: string };
  let shopId: string;
  let groupId: string;
  let itemId: string;

  const uniqueName = `테스트피자왕 ${randomUUID().slice(0, 4)}`;
  const allDay = Array.from({ length: 7 }, (_, day) => ({ day, opens: '00:00', closes: '00:00' }));
  const REGISTER = `mutation($input: RegisterShopInput!) { registerShop(input: $input) { id name category deliveryAreas isOpen isOpenNow menu { id } } }`;
  const DETAIL = `query($id: ID!) { shop(id: $id) { id name deliveryFee isOpen isOpenNow rating reviewCount menu { id name items { id name price soldOut optionGroups { name minSelect maxSelect options { name price } } } } } }`;
  const validShop = {
    name: uniqueName,
    category: 'PIZZA',
    description: '화덕에서 굽는 피자',
    minimumOrder: 12000,
    deliveryFee: 2500,
    deliveryAreas: ['JONGNO'],
    openingHours: allDay,
  };

  const detail = async (id: string) => (await graphql(url, DETAIL, { id })).data?.shop;
  const listIds = async (area: string, extra = '') =>
    (
      (await graphql(url, `{ shops(area: ${area}, first: 50 ${extra}) { edges { node { id } } } }`)).data.shops
        .edges as {
        node: { id: string };
      }[]
    ).map((e) => e.node.id);

  beforeAll(async () => {
    platform = shared();
    url = platform.gatewayUrl;
    shopsDb = createShopsClient(platform.databaseUrl('shops'), 2);
    ordersDb = createOrdersClient(platform.databaseUrl('orders'), 2);
    reviewsDb = createReviewsClient(platform.databaseUrl('reviews'), 2);
    [owner, otherOwner, customer] = await Promise.all([
      login(url, 'owner1@baedal.dev'),
      login(url, 'owner2@baedal.dev'),
      login(url, 'customer1@baedal.dev'),
    ]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([shopsDb, ordersDb, reviewsDb].map((db) => db?.$disconnect()));
  }, 60_000);

  describe('owner commands', () => {
    it('registers a shop, and customers see it within 2 seconds', async () => {
      const response = await graphql(url, REGISTER, { input: validShop }, bearer(owner.token));
      expect(response.errors).toBeUndefined();
      expect(response.data.registerShop).toMatchObject({
        name: uniqueName,
        category: 'PIZZA',
        deliveryAreas: ['JONGNO'],
        isOpen: true,
        isOpenNow: true,
        menu: [],
      });
      shopId = response.data.registerShop.id;
      await eventually(
        'the new shop in the customer detail',
        async () => (await detail(shopId))?.name === uniqueName,
        FRESH_MS,
      );
      await eventually(
        'the new shop in the JONGNO list',
        async () => (await listIds('JONGNO', ', category: PIZZA')).includes(shopId),
        FRESH_MS,
      );
    });

    it('refuses each invalid field with BAD_USER_INPUT naming it, and writes nothing', async () => {
      const before = [await shopsDb.shop.count(), await shopsDb.outboxEvent.count()];
      const cases: [Record<string, unknown>, string][] = [
        [{ name: ' ' }, 'name'],
        [{ name: 'x'.repeat(51) }, 'name'],
        [{ minimumOrder: -1 }, 'minimumOrder'],
        [{ deliveryFee: 100_001 }, 'deliveryFee'],
        [{ deliveryAreas: [] }, 'deliveryAreas'],
        [{ openingHours: [{ day: 9, opens: '10:00', closes: '20:00' }] }, 'openingHours'],
        [{ openingHours: [{ day: 1, opens: '10:00', closes: '24:30' }] }, 'openingHours'],
        [{ description: 'x'.repeat(501) }, 'description'],
      ];
      for (const [change, field] of cases) {
        const response = await graphql(url, REGISTER, { input: { ...validShop, ...change } }, bearer(owner.token));
        expect([codes(response), response.errors?.[0].extensions?.field]).toEqual([['BAD_USER_INPUT'], field]);
      }
      expect([await shopsDb.shop.count(), await shopsDb.outboxEvent.count()]).toEqual(before);
    });

    it('refuses commands from anonymous callers, customers and other owners', async () => {
      expect(codes(await graphql(url, REGISTER, { input: validShop }))).toEqual(['UNAUTHENTICATED']);
      expect(codes(await graphql(url, REGISTER, { input: validShop }, bearer(customer.token)))).toEqual(['FORBIDDEN']);
      const update = 'mutation($id: ID!) { updateShop(id: $id, input: { deliveryFee: 0 }) { id } }';
      expect(codes(await graphql(url, update, { id: shopId }, bearer(otherOwner.token)))).toEqual(['FORBIDDEN']);
      expect(
        codes(
          await graphql(
            url,
            'mutation($id: ID!) { closeShop(id: $id) { id } }',
            { id: shopId },
            bearer(otherOwner.token),
          ),
        ),
      ).toEqual(['FORBIDDEN']);
      expect(codes(await graphql(url, update, { id: 'no-such-shop' }, bearer(owner.token)))).toEqual(['NOT_FOUND']);
      expect((await shopsDb.shop.findUniqueOrThrow({ where: { id: shopId } })).deliveryFee).toBe(2500);
    });

    it('builds a menu with option groups, visible to customers and to ordering within 2 seconds', async () => {
      const group = await graphql(
        url,
        'mutation($s: ID!) { upsertMenuGroup(shopId: $s, input: { name: "피자" }) { id name items { id } } }',
        { s: shopId },
        bearer(owner.token),
      );
      expect(group.errors).toBeUndefined();
      groupId = group.data.upsertMenuGroup.id;
      const item = await graphql(
        url,
        `
          mutation ($s: ID!, $input: MenuItemInput!) {
            upsertMenuItem(shopId: $s, input: $input) {
              id
              name
              price
              soldOut
              optionGroups {
                id
                name
                options {
                  id
                  name
                  price
                }
              }
            }
          }
        `,
        {
          s: shopId,
          input: {
            groupId,
            name: '마르게리타',
            price: 15000,
            optionGroups: [
              {
                name: '도우',
                minSelect: 1,
                maxSelect: 1,
                options: [
                  { name: '오리지널', price: 0 },
                  { name: '씬', price: 1000 },
                ],
              },
            ],
          },
        },
        bearer(owner.token),
      );
      expect(item.errors).toBeUndefined();
      itemId = item.data.upsertMenuItem.id;
      expect(item.data.upsertMenuItem.optionGroups[0].options.map((o: any) => o.price)).toEqual([0, 1000]);

      await eventually(
        'the item in the customer detail',
        async () => (await detail(shopId))?.menu?.[0]?.items?.[0]?.id === itemId,
        FRESH_MS,
      );
      const shown = (await detail(shopId)).menu[0].items[0];
      expect(shown).toMatchObject({
        name: '마르게리타',
        price: 15000,
        soldOut: false,
        optionGroups: [{ name: '도우', minSelect: 1, maxSelect: 1 }],
      });
      await eventually(
        'the item in the orders replica',
        async () => (await ordersDb.menuItemReplica.count({ where: { menuItemId: itemId } })) === 1,
        FRESH_MS,
      );
    });

    it('refuses invalid menu input and menu changes to other owners', async () => {
      const upsert = `mutation($s: ID!, $input: MenuItemInput!) { upsertMenuItem(shopId: $s, input: $input) { id } }`;
      const bad = await graphql(
        url,
        upsert,
        { s: shopId, input: { groupId, name: '피자', price: -100 } },
        bearer(owner.token),
      );
      expect([codes(bad), bad.errors?.[0].extensions?.field]).toEqual([['BAD_USER_INPUT'], 'price']);
      const badOptions = await graphql(
        url,
        upsert,
        {
          s: shopId,
          input: {
            groupId,
            name: '피자',
            price: 100,
            optionGroups: [{ name: 'x', minSelect: 2, maxSelect: 2, options: [{ name: 'a', price: 0 }] }],
          },
        },
        bearer(owner.token),
      );
      expect(badOptions.errors?.[0].extensions?.field).toBe('optionGroups[0].minSelect');
      expect(
        codes(
          await graphql(
            url,
            upsert,
            { s: shopId, input: { groupId: 'no-such-group', name: '피자', price: 100 } },
            bearer(owner.token),
          ),
        ),
      ).toEqual(['NOT_FOUND']);
      expect(
        codes(
          await graphql(
            url,
            upsert,
            { s: shopId, input: { groupId, name: '피자', price: 100 } },
            bearer(otherOwner.token),
          ),
        ),
      ).toEqual(['FORBIDDEN']);
      expect(
        codes(
          await graphql(
            url,
            'mutation($i: ID!) { setMenuItemSoldOut(id: $i, soldOut: true) { id } }',
            { i: itemId },
            bearer(otherOwner.token),
          ),
        ),
      ).toEqual(['FORBIDDEN']);
      expect(
        codes(
          await graphql(url, 'mutation($i: ID!) { deleteMenuItem(id: $i) }', { i: itemId }, bearer(otherOwner.token)),
        ),
      ).toEqual(['FORBIDDEN']);
      expect(await shopsDb.menuItem.count({ where: { shopId } })).toBe(1);
    });

    it('marks an item sold out, and ordering refuses it', async () => {
      const response = await graphql(
        url,
        'mutation($i: ID!) { setMenuItemSoldOut(id: $i, soldOut: true) { id soldOut } }',
        { i: itemId },
        bearer(owner.token),
      );
      expect(response.data.setMenuItemSoldOut).toEqual({ id: itemId, soldOut: true });
      await eventually(
        'sold out in the detail',
        async () => (await detail(shopId)).menu[0].items[0].soldOut === true,
        FRESH_MS,
      );
      await eventually(
        'sold out in the orders replica',
        async () => (await ordersDb.menuItemReplica.findUnique({ where: { menuItemId: itemId } }))?.soldOut === true,
        FRESH_MS,
      );
      const order = await graphql(
        url,
        'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }',
        {
          input: {
            shopId,
            items: [{ menuItemId: itemId, quantity: 1 }],
            deliveryAddress: '서울시 종로구 1',
            deliveryArea: 'JONGNO',
            idempotencyKey: randomUUID(),
          },
        },
        bearer(customer.token),
      );
      expect(codes(order)).toEqual(['BAD_USER_INPUT']);
      expect(order.errors?.[0].message).toContain('sold out');
    });

    it('updates, pauses and reopens the shop, and the list follows within 2 seconds', async () => {
      const renamed = `${uniqueName} 종로점`;
      const update = await graphql(
        url,
        'mutation($id: ID!) { updateShop(id: $id, input: { name: "' +
          renamed +
          '", deliveryFee: 0 }) { name deliveryFee } }',
        { id: shopId },
        bearer(owner.token),
      );
      expect(update.data.updateShop).toEqual({ name: renamed, deliveryFee: 0 });
      await eventually('the new name in the detail', async () => (await detail(shopId)).name === renamed, FRESH_MS);

      const closed = await graphql(
        url,
        'mutation($id: ID!) { closeShop(id: $id) { isOpen isOpenNow } }',
        { id: shopId },
        bearer(owner.token),
      );
      expect(closed.data.closeShop).toEqual({ isOpen: false, isOpenNow: false });
      await eventually('the pause in the detail', async () => (await detail(shopId)).isOpenNow === false, FRESH_MS);
      const listing = await shopsDb.shopListing.findUniqueOrThrow({
        where: { area_shopId: { area: 'JONGNO', shopId } },
      });
      expect(listing.closedRank).toBe(1);

      await graphql(url, 'mutation($id: ID!) { openShop(id: $id) { isOpen } }', { id: shopId }, bearer(owner.token));
      await eventually('the reopening in the detail', async () => (await detail(shopId)).isOpenNow === true, FRESH_MS);
    });
  });

  describe('customer queries', () => {
    it('home: every category with the count of shops delivering to the area, and the advertised shops', async () => {
      const response = await graphql(
        url,
        '{ home(area: MAPO) { categories { category shopCount } advertisedShops { id adPlacement(area: MAPO) { product } } } }',
      );
      const counts = await shopsDb.shopListing.groupBy({
        by: ['category'],
        where: { area: 'MAPO' },
        _count: { _all: true },
      });
      const expected = Object.fromEntries(counts.map((c) => [c.category, c._count._all]));
      for (const { category, shopCount } of response.data.home.categories)
        expect(shopCount).toBe(expected[category] ?? 0);
      expect(response.data.home.categories).toHaveLength(10);
      expect(response.data.home.advertisedShops.length).toBeGreaterThan(0);
      expect(response.data.home.advertisedShops.every((s: any) => s.adPlacement !== null)).toBe(true);
    });

    it('ranks the list: advertised first, then open before closed, then rating and review count', async () => {
      const response = await graphql(
        url,
        '{ shops(area: GANGNAM, first: 50) { edges { node { id isOpenNow rating reviewCount adPlacement(area: GANGNAM) { product } } } } }',
      );
      const rank = (n: any) => [
        n.adPlacement ? (n.adPlacement.product === 'ULTRA_CALL' ? 0 : 1) : 2,
        n.isOpenNow ? 0 : 1,
        -(n.rating ?? 0),
        -n.reviewCount,
      ];
      const keys = response.data.shops.edges.map((e: any) => rank(e.node));
      for (let i = 1; i < keys.length; i++) {
        const [a, b] = [keys[i - 1], keys[i]];
        const order = a.findIndex((v: number, j: number) => v !== b[j]);
        if (order >= 0) expect(a[order]).toBeLessThan(b[order]);
      }
    });

    it.each([
      ['DELIVERY_FEE', 'deliveryFee', 1],
      ['MINIMUM_ORDER', 'minimumOrder', 1],
      ['RATING', 'rating', -1],
    ])('sorts by %s', async (sort, field, direction) => {
      const response = await graphql(
        url,
        `{ shops(area: SEOCHO, category: CHICKEN, sort: ${sort}, first: 30) { edges { node { category ${field} } } } }`,
      );
      const values = response.data.shops.edges.map((e: any) => e.node[field] ?? 0);
      expect(values.length).toBeGreaterThan(1);
      expect(response.data.shops.edges.every((e: any) => e.node.category === 'CHICKEN')).toBe(true);
      expect(values).toEqual([...values].sort((a: number, b: number) => direction * (a - b)));
    });

    it('searches shop names and menu items in Korean, optionally within an area', async () => {
      const byName = await graphql(url, 'query($q: String!) { searchShops(query: $q) { id name } }', {
        q: '테스트피자왕',
      });
      expect(byName.data.searchShops.map((s: any) => s.id)).toEqual([shopId]);
      const byMenu = await graphql(url, '{ searchShops(query: "마르게리타", area: JONGNO) { id } }');
      expect(byMenu.data.searchShops.map((s: any) => s.id)).toContain(shopId);
      const elsewhere = await graphql(url, '{ searchShops(query: "마르게리타", area: MAPO) { id } }');
      expect(elsewhere.data.searchShops.map((s: any) => s.id)).not.toContain(shopId);
      const chicken = await graphql(url, '{ searchShops(query: "치킨", first: 10) { name menu { items { name } } } }');
      expect(chicken.data.searchShops.length).toBeGreaterThan(0);
      for (const shop of chicken.data.searchShops) {
        expect(`${shop.name} ${shop.menu.flatMap((g: any) => g.items.map((i: any) => i.name)).join(' ')}`).toContain(
          '치킨',
        );
      }
      expect(codes(await graphql(url, '{ searchShops(query: "  ") { id } }'))).toEqual(['BAD_USER_INPUT']);
    });
  });

  describe('ads and reviews feed the query model', () => {
    let campaignId: string;
    const START =
      'mutation($input: StartAdPlacementInput!) { startAdPlacement(input: $input) { id product area status } }';

    it('an owner starts an ad placement and the shop is advertised in its area within 2 seconds', async () => {
      // Paid for from the shop's ad wallet, topped up through payments (ads credits it from payments' event).
      const TOP_UP =
        'mutation($s: ID!) { topUpAdWallet(shopId: $s, amount: 50000, idempotencyKey: "suite") { status } }';
      await eventually(
        'the top-up charged and credited',
        async () => {
          const topUp = await graphql(url, TOP_UP, { s: shopId }, bearer(owner.token));
          if (topUp.data?.topUpAdWallet?.status !== 'APPROVED') return false;
          const wallet = await graphql(
            url,
            'query($s: ID!) { adWallet(shopId: $s) { balance } }',
            { s: shopId },
            bearer(owner.token),
          );
          return wallet.data?.adWallet.balance === 50000;
        },
        10_000,
      );
      const response = await graphql(
        url,
        START,
        { input: { shopId, product: 'ULTRA_CALL', area: 'JONGNO', days: 7 } },
        bearer(owner.token),
      );
      expect(response.errors).toBeUndefined();
      campaignId = response.data.startAdPlacement.id;
      await eventually(
        'the shop among the advertised in JONGNO',
        async () => {
          const home = await graphql(url, '{ home(area: JONGNO) { advertisedShops { id } } }');
          return home.data.home.advertisedShops.some((s: any) => s.id === shopId);
        },
        FRESH_MS,
      );
      const view = await graphql(
        url,
        '{ shops(area: JONGNO, first: 50) { edges { node { id adPlacement(area: JONGNO) { id product } } } } }',
      );
      const nodes = view.data.shops.edges.map((e: any) => e.node);
      const mine = nodes.findIndex((n: any) => n.id === shopId);
      expect(nodes[mine].adPlacement).toEqual({ id: campaignId, product: 'ULTRA_CALL' });
      // Only other ULTRA_CALL shops may rank above it.
      expect(nodes.slice(0, mine).every((n: any) => n.adPlacement?.product === 'ULTRA_CALL')).toBe(true);
    });

    it('refuses placements for others, bad periods and a second placement in the same area', async () => {
      expect(
        codes(
          await graphql(
            url,
            START,
            { input: { shopId, product: 'OPEN_LIST', area: 'MAPO', days: 7 } },
            bearer(otherOwner.token),
          ),
        ),
      ).toEqual(['FORBIDDEN']);
      const bad = await graphql(
        url,
        START,
        { input: { shopId, product: 'OPEN_LIST', area: 'MAPO', days: 0 } },
        bearer(owner.token),
      );
      expect([codes(bad), bad.errors?.[0].extensions?.field]).toEqual([['BAD_USER_INPUT'], 'days']);
      expect(
        codes(
          await graphql(
            url,
            START,
            { input: { shopId, product: 'OPEN_LIST', area: 'JONGNO', days: 7 } },
            bearer(owner.token),
          ),
        ),
      ).toEqual(['CONFLICT']);
      expect(
        codes(
          await graphql(
            url,
            START,
            { input: { shopId: 'no-such-shop', product: 'OPEN_LIST', area: 'JONGNO', days: 7 } },
            bearer(owner.token),
          ),
        ),
      ).toEqual(['NOT_FOUND']);
      expect(
        codes(
          await graphql(
            url,
            'mutation($c: ID!) { endAdPlacement(campaignId: $c) { id } }',
            { c: campaignId },
            bearer(otherOwner.token),
          ),
        ),
      ).toEqual(['FORBIDDEN']);
    });

    it("lists an owner's own campaigns, newest first, a page at a time; no one else's", async () => {
      const MINE = `query($first: Int!, $after: String) { myAdCampaigns(first: $first, after: $after) {
        edges { cursor node { id shop { id } } } pageInfo { hasNextPage endCursor } } }`;
      const second = await graphql(
        url,
        START,
        { input: { shopId, product: 'OPEN_LIST', area: 'MAPO', days: 3 } },
        bearer(owner.token),
      );
      expect(second.errors).toBeUndefined();
      const ids: string[] = [];
      let after: string | null = null;
      for (let pages = 0; pages < 20; pages++) {
        const page: GraphQLResponse = await graphql(url, MINE, { first: 1, after }, bearer(owner.token));
        expect(page.errors).toBeUndefined();
        const { edges, pageInfo } = page.data.myAdCampaigns as {
          edges: { node: { id: string; shop: { id: string } } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
        };
        ids.push(...edges.map((e) => e.node.id));
        if (!pageInfo.hasNextPage) break;
        after = pageInfo.endCursor;
      }
      // The seeded campaigns of owner1's shops too; the two started here are the newest.
      expect(ids.slice(0, 2)).toEqual([second.data.startAdPlacement.id, campaignId]);
      expect(new Set(ids).size).toBe(ids.length);
      const others = await graphql(url, MINE, { first: 50 }, bearer(otherOwner.token));
      expect(others.data.myAdCampaigns.edges.map((e: { node: { id: string } }) => e.node.id)).not.toContain(campaignId);
      expect(codes(await graphql(url, MINE, { first: 5 }, bearer(customer.token)))).toEqual(['FORBIDDEN']);
      const ended = await graphql(
        url,
        'mutation($c: ID!) { endAdPlacement(campaignId: $c) { status } }',
        { c: second.data.startAdPlacement.id },
        bearer(owner.token),
      );
      expect(ended.errors).toBeUndefined();
    });

    it('ending the placement removes it from the list within 2 seconds', async () => {
      const ended = await graphql(
        url,
        'mutation($c: ID!) { endAdPlacement(campaignId: $c) { status } }',
        { c: campaignId },
        bearer(owner.token),
      );
      expect(ended.data.endAdPlacement.status).toBe('ENDED');
      await eventually(
        'the placement gone',
        async () => {
          const view = await graphql(
            url,
            '{ shops(area: JONGNO, first: 50) { edges { node { id adPlacement(area: JONGNO) { id } } } } }',
          );
          return view.data.shops.edges.find((e: any) => e.node.id === shopId)?.node.adPlacement === null;
        },
        FRESH_MS,
      );
    });

    it("a customer's review changes the shop's rating in the list within 2 seconds; refusals write nothing", async () => {
      // Delivered orders become reviewable through order events; here the delivery is arranged directly.
      const orderId = randomUUID();
      await reviewsDb.reviewableOrder.create({
        data: { orderId, customerId: customer.userId, shopId, deliveredAt: new Date() },
      });
      const WRITE = 'mutation($input: WriteReviewInput!) { writeReview(input: $input) { id rating shop { id } } }';
      const other = await login(url, 'customer2@baedal.dev');
      expect(
        codes(await graphql(url, WRITE, { input: { orderId, rating: 5, text: '맛있어요' } }, bearer(other.token))),
      ).toEqual(['FORBIDDEN']);
      const bad = await graphql(
        url,
        WRITE,
        { input: { orderId, rating: 6, text: '맛있어요' } },
        bearer(customer.token),
      );
      expect([codes(bad), bad.errors?.[0].extensions?.field]).toEqual([['BAD_USER_INPUT'], 'rating']);
      expect(
        codes(
          await graphql(
            url,
            WRITE,
            { input: { orderId: 'no-such-order', rating: 5, text: '맛있어요' } },
            bearer(customer.token),
          ),
        ),
      ).toEqual(['NOT_FOUND']);
      expect(codes(await graphql(url, WRITE, { input: { orderId, rating: 5, text: '맛있어요' } }))).toEqual([
        'UNAUTHENTICATED',
      ]);
      expect(await reviewsDb.review.count({ where: { orderId } })).toBe(0);

      const written = await graphql(
        url,
        WRITE,
        { input: { orderId, rating: 4, text: '도우가 쫄깃해요' } },
        bearer(customer.token),
      );
      expect(written.data.writeReview).toMatchObject({ rating: 4, shop: { id: shopId } });
      expect(
        codes(
          await graphql(url, WRITE, { input: { orderId, rating: 5, text: '또 먹었어요' } }, bearer(customer.token)),
        ),
      ).toEqual(['CONFLICT']);
      await eventually(
        'the rating in the detail',
        async () => {
          const shop = await detail(shopId);
          return shop.rating === 4 && shop.reviewCount === 1;
        },
        FRESH_MS,
      );
    });
  });

  describe('rebuild', () => {
    it('rebuilds the query model from scratch from snapshot events', async () => {
      const before = await shopsDb.shopView.findMany({
        orderBy: { shopId: 'asc' },
        select: { shopId: true, name: true, reviewCount: true, ratingSum: true, adPlacements: true },
      });
      const env = { ...process.env, BAEDAL_DB_PREFIX: platform.prefix, BAEDAL_REDIS_PREFIX: platform.prefix };
      execFileSync(
        process.execPath,
        [path.join(__dirname, '..', '..', 'workers', 'dist', 'cli.js'), 'projections', 'rebuild'],
        { env, stdio: 'pipe' },
      );
      await platform.settle();
      const after = await shopsDb.shopView.findMany({
        orderBy: { shopId: 'asc' },
        select: { shopId: true, name: true, reviewCount: true, ratingSum: true, adPlacements: true },
      });
      expect(after).toEqual(before);
      expect(await shopsDb.shopListing.count()).toBeGreaterThan(0);
    });
  });
}
