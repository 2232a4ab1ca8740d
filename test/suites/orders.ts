import { randomUUID } from 'node:crypto';
import { isOpenAt, parseOpeningHours } from '@baedal/contracts';
import { createOrdersClient } from '@baedal/prisma/orders';
import { createPaymentsClient } from '@baedal/prisma/payments';
import { createReviewsClient } from '@baedal/prisma/reviews';
import { createShopsClient } from '@baedal/prisma/shops';
import { bearer, codes, graphql, login } from '../support/graphql';
import { deleteRedisKeys, eventually, type TestPlatform } from '../support/stack';

/*
 * The order lifecycle through the gateway and its events through real
 * workers, Redis and Postgres: every effect is asserted in the consuming
 * domain's database.
 *
 * Long on purpose: its tests share the fixtures set up above them (test/README.md).
 */

export function ordersSuite(shared: () => TestPlatform): void {
  let platform: TestPlatform;
  let url: string;
  let shopsDb: ReturnType<typeof createShopsClient>;
  let ordersDb: ReturnType<typeof createOrdersClient>;
  let paymentsDb: ReturnType<typeof createPaymentsClient>;
  let reviewsDb: ReturnType<typeof createReviewsClient>;
  let owner: { token: string; userId: string };
  let customer: { token: string; userId: string };
  let customers: { token: string; userId: string }[];
  let shop: { id: string; deliveryArea: string; itemId: string; quantity: number };

  const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status total lines { unitPrice options { group name price } } } }`;
  const ORDER = `query($id: ID!) { order(id: $id) { id status estimatedCookingMinutes history { status reason } payment { status amount } } }`;

  function orderInput(over: Record<string, unknown> = {}) {
    return {
      shopId: shop.id,
      items: [{ menuItemId: shop.itemId, quantity: shop.quantity }],
      deliveryAddress: '서울시 마포구 월드컵로 1',
      deliveryArea: shop.deliveryArea,
      idempotencyKey: randomUUID(),
      ...over,
    };
  }

  async function place(who = customer, over: Record<string, unknown> = {}): Promise<string> {
    const response = await graphql(url, PLACE, { input: orderInput(over) }, bearer(who.token));
    if (!response.data?.placeOrder) throw new Error(JSON.stringify(response.errors));
    return response.data.placeOrder.id;
  }

  const statusOf = async (id: string) => (await ordersDb.order.findUniqueOrThrow({ where: { id } })).status;
  const orderCounts = async () => (await shopsDb.shopView.findUniqueOrThrow({ where: { shopId: shop.id } })).orderCount;

  async function placeMany(count: number, concurrency = 10): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i += concurrency) {
      ids.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(concurrency, count - i) }, (_, j) =>
            place(customers[(i + j) % customers.length]),
          ),
        )),
      );
    }
    return ids;
  }

  beforeAll(async () => {
    platform = shared();
    url = platform.gatewayUrl;
    shopsDb = createShopsClient(platform.databaseUrl('shops'), 2);
    ordersDb = createOrdersClient(platform.databaseUrl('orders'), 2);
    paymentsDb = createPaymentsClient(platform.databaseUrl('payments'), 2);
    reviewsDb = createReviewsClient(platform.databaseUrl('reviews'), 2);
    owner = await login(url, 'owner1@baedal.dev');
    customers = await Promise.all(Array.from({ length: 10 }, (_, i) => login(url, `customer${i + 1}@baedal.dev`)));
    customer = customers[0];
    // The seed's shops, oldest first: suites that share this platform register shops of their own.
    const shops = await shopsDb.shop.findMany({
      where: { ownerId: owner.userId },
      orderBy: { createdAt: 'asc' },
      include: { menuItems: { where: { soldOut: false }, orderBy: { price: 'desc' } } },
    });
    const open = shops.find(
      (s) => isOpenAt(parseOpeningHours(s.openingHours), !s.isOpen, new Date()) && s.menuItems.length,
    )!;
    const item = open.menuItems[0];
    shop = {
      id: open.id,
      deliveryArea: open.deliveryAreas[0],
      itemId: item.id,
      quantity: Math.max(1, Math.ceil(open.minimumOrder / item.price)),
    };
  }, 180_000);

  afterAll(async () => {
    await Promise.all([shopsDb, ordersDb, paymentsDb, reviewsDb].map((db) => db?.$disconnect()));
  }, 60_000);

  describe('lifecycle', () => {
    it('goes from placement through acceptance and the rider to delivery, and the customer can then review it', async () => {
      const id = await place();
      expect(await statusOf(id)).toBe('PLACED');
      const accepted = await graphql(
        url,
        'mutation($id: ID!) { acceptOrder(id: $id, estimatedCookingMinutes: 25) { status estimatedCookingMinutes } }',
        { id },
        bearer(owner.token),
      );
      expect(accepted.data.acceptOrder).toEqual({ status: 'ACCEPTED', estimatedCookingMinutes: 25 });

      await eventually('the rider to deliver', async () => (await statusOf(id)) === 'DELIVERED', 10_000);
      const seen = await graphql(
        url,
        '{ me { orders(first: 50) { id status history { status } } } }',
        {},
        bearer(customer.token),
      );
      const mine = seen.data.me.orders.find((o: any) => o.id === id);
      expect(mine.history.map((h: any) => h.status)).toEqual([
        'PENDING_PAYMENT',
        'PLACED',
        'ACCEPTED',
        'PICKED_UP',
        'DELIVERED',
      ]);

      await eventually(
        'the order to become reviewable',
        async () => (await reviewsDb.reviewableOrder.count({ where: { orderId: id } })) === 1,
      );
      const WRITE =
        'mutation($id: ID!) { writeReview(input: { orderId: $id, rating: 5, text: "빨리 왔어요" }) { rating } }';
      expect(codes(await graphql(url, WRITE, { id }, bearer(customers[1].token)))).toEqual(['FORBIDDEN']);
      expect((await graphql(url, WRITE, { id }, bearer(customer.token))).data.writeReview.rating).toBe(5);
      expect(codes(await graphql(url, WRITE, { id }, bearer(customer.token)))).toEqual(['CONFLICT']);
      const undelivered = await place();
      expect(codes(await graphql(url, WRITE, { id: undelivered }, bearer(customer.token)))).toEqual(['NOT_FOUND']);
    });

    it('prices chosen options from the replica', async () => {
      const group = await graphql(
        url,
        'mutation($s: ID!) { upsertMenuGroup(shopId: $s, input: { name: "세트" }) { id } }',
        { s: shop.id },
        bearer(owner.token),
      );
      const item = await graphql(
        url,
        'mutation($s: ID!, $g: ID!) { upsertMenuItem(shopId: $s, input: { groupId: $g, name: "치킨세트", price: 30000, optionGroups: [{ name: "소스", minSelect: 1, maxSelect: 1, options: [{ name: "양념", price: 1000 }, { name: "간장", price: 2000 }] }] }) { id optionGroups { options { id name } } } }',
        { s: shop.id, g: group.data.upsertMenuGroup.id },
        bearer(owner.token),
      );
      const { id: itemId, optionGroups } = item.data.upsertMenuItem;
      const soy = optionGroups[0].options.find((o: any) => o.name === '간장').id;
      await eventually(
        'the item in the orders replica',
        async () => (await ordersDb.menuItemReplica.count({ where: { menuItemId: itemId } })) === 1,
      );
      const ordered = await graphql(
        url,
        PLACE,
        { input: orderInput({ items: [{ menuItemId: itemId, quantity: 1, options: [soy] }] }) },
        bearer(customer.token),
      );
      expect(ordered.data.placeOrder.lines).toEqual([
        { unitPrice: 32000, options: [{ group: '소스', name: '간장', price: 2000 }] },
      ]);
      const missing = await graphql(
        url,
        PLACE,
        { input: orderInput({ items: [{ menuItemId: itemId, quantity: 1 }] }) },
        bearer(customer.token),
      );
      expect([codes(missing), missing.errors?.[0].extensions?.field]).toEqual([['BAD_USER_INPUT'], 'items.options']);

      // The owner's new price reaches the replica, and the next order is priced at it (not from the copy of the shop the last order was priced from).
      const repriced = await graphql(
        url,
        'mutation($s: ID!, $i: MenuItemInput!) { upsertMenuItem(shopId: $s, input: $i) { price } }',
        { s: shop.id, i: { id: itemId, groupId: group.data.upsertMenuGroup.id, name: '치킨세트', price: 31000 } },
        bearer(owner.token),
      );
      expect(repriced.data.upsertMenuItem.price).toBe(31000);
      await eventually(
        'the new price in the orders replica',
        async () => (await ordersDb.menuItemReplica.findUnique({ where: { menuItemId: itemId } }))?.price === 31000,
      );
      const again = await graphql(
        url,
        PLACE,
        { input: orderInput({ items: [{ menuItemId: itemId, quantity: 1, options: [soy] }] }) },
        bearer(customer.token),
      );
      expect(again.data.placeOrder.lines).toEqual([
        { unitPrice: 33000, options: [{ group: '소스', name: '간장', price: 2000 }] },
      ]);
      // The write refused for the copy's old price left no events behind.
      const orphans = await ordersDb.$queryRaw<
        { n: number }[]
      >`SELECT count(*)::int AS n FROM "OutboxEvent" e WHERE NOT EXISTS (SELECT 1 FROM "Order" o WHERE o."id" = e."aggregateId")`;
      expect(orphans[0].n).toBe(0);
    });

    it('refuses illegal transitions with ORDER_STATE_CONFLICT and changes nothing', async () => {
      const id = await place();
      await graphql(
        url,
        'mutation($id: ID!) { acceptOrder(id: $id, estimatedCookingMinutes: 10) { id } }',
        { id },
        bearer(owner.token),
      );
      await eventually('delivery', async () => (await statusOf(id)) === 'DELIVERED', 10_000);
      const before = await ordersDb.order.findUniqueOrThrow({ where: { id }, include: { history: true } });
      const attempts = [
        ['mutation($id: ID!) { acceptOrder(id: $id, estimatedCookingMinutes: 10) { id } }', owner],
        ['mutation($id: ID!) { rejectOrder(id: $id, reason: "늦음") { id } }', owner],
        ['mutation($id: ID!) { cancelOrder(id: $id, reason: "늦음") { id } }', owner],
        ['mutation($id: ID!) { cancelOrder(id: $id) { id } }', customer],
      ] as const;
      for (const [mutation, who] of attempts)
        expect(codes(await graphql(url, mutation, { id }, bearer(who.token)))).toEqual(['ORDER_STATE_CONFLICT']);
      const after = await ordersDb.order.findUniqueOrThrow({ where: { id }, include: { history: true } });
      expect([after.status, after.version, after.history.length]).toEqual([
        before.status,
        before.version,
        before.history.length,
      ]);
      expect(await ordersDb.outboxEvent.count({ where: { aggregateId: id } })).toBe(5);
    });

    it('refuses transitions to callers the order is not theirs, and bad input', async () => {
      const id = await place();
      const otherOwner = await login(url, 'owner2@baedal.dev');
      expect(
        codes(
          await graphql(
            url,
            'mutation($id: ID!) { acceptOrder(id: $id, estimatedCookingMinutes: 10) { id } }',
            { id },
            bearer(otherOwner.token),
          ),
        ),
      ).toEqual(['FORBIDDEN']);
      expect(
        codes(
          await graphql(
            url,
            'mutation($id: ID!) { acceptOrder(id: $id, estimatedCookingMinutes: 10) { id } }',
            { id },
            bearer(customer.token),
          ),
        ),
      ).toEqual(['FORBIDDEN']);
      expect(
        codes(
          await graphql(url, 'mutation($id: ID!) { cancelOrder(id: $id) { id } }', { id }, bearer(customers[1].token)),
        ),
      ).toEqual(['FORBIDDEN']);
      expect(
        codes(
          await graphql(url, 'mutation($id: ID!) { markOrderPickedUp(id: $id) { id } }', { id }, bearer(owner.token)),
        ),
      ).toEqual(['FORBIDDEN']);
      const bad = await graphql(
        url,
        'mutation($id: ID!) { acceptOrder(id: $id, estimatedCookingMinutes: 500) { id } }',
        { id },
        bearer(owner.token),
      );
      expect([codes(bad), bad.errors?.[0].extensions?.field]).toEqual([['BAD_USER_INPUT'], 'estimatedCookingMinutes']);
      expect(
        codes(
          await graphql(
            url,
            'mutation { acceptOrder(id: "no-such-order", estimatedCookingMinutes: 10) { id } }',
            {},
            bearer(owner.token),
          ),
        ),
      ).toEqual(['NOT_FOUND']);
      expect(await statusOf(id)).toBe('PLACED');
    });

    it('refunds a rejected order and a canceled one, exactly once each', async () => {
      const rejected = await place();
      const canceled = await place();
      const late = await place();
      // Hold the rider back so that the owner's cancel comes after acceptance, not after delivery.
      await platform.stack.stop('workers');
      await graphql(
        url,
        'mutation($id: ID!) { rejectOrder(id: $id, reason: "재료 소진") { id } }',
        { id: rejected },
        bearer(owner.token),
      );
      await graphql(
        url,
        'mutation($id: ID!) { cancelOrder(id: $id, reason: "주소 오류") { id } }',
        { id: canceled },
        bearer(customer.token),
      );
      await graphql(
        url,
        'mutation($id: ID!) { acceptOrder(id: $id, estimatedCookingMinutes: 30) { id } }',
        { id: late },
        bearer(owner.token),
      );
      const ownerCancel = await graphql(
        url,
        'mutation($id: ID!) { cancelOrder(id: $id, reason: "가게 사정") { status } }',
        { id: late },
        bearer(owner.token),
      );
      expect(ownerCancel.data.cancelOrder.status).toBe('CANCELED');
      await platform.stack.restart('workers');
      const refunded = [rejected, canceled, late];
      await eventually(
        'three refunds',
        async () => (await paymentsDb.refund.count({ where: { orderId: { in: refunded } } })) === 3,
        20_000,
      );
      await platform.settle();
      for (const id of refunded) {
        expect((await paymentsDb.payment.findFirstOrThrow({ where: { orderId: id } })).status).toBe('REFUNDED');
        expect(await paymentsDb.refund.count({ where: { orderId: id } })).toBe(1);
      }
      const detail = await graphql(url, ORDER, { id: rejected }, bearer(customer.token));
      expect(detail.data.order).toMatchObject({ status: 'REJECTED', payment: { status: 'REFUNDED' } });
      expect(detail.data.order.history.at(-1)).toEqual({ status: 'REJECTED', reason: '재료 소진' });
    });
  });

  describe('delivery of events', () => {
    it('applies the effects of 500 orders placed while the consumers were stopped, each exactly once', async () => {
      await platform.settle();
      const countsBefore = await orderCounts();
      await platform.stack.stop('workers');
      const ids = await placeMany(500);
      expect(await paymentsDb.payment.count({ where: { orderId: { in: ids } } })).toBe(0);

      await platform.stack.restart('workers');
      await platform.settle(120_000);
      const payments = await paymentsDb.payment.findMany({ where: { orderId: { in: ids } } });
      expect(payments).toHaveLength(500);
      expect(new Set(payments.map((p) => p.orderId)).size).toBe(500);
      expect(await orderCounts()).toBe(countsBefore + 500);
    }, 180_000);

    it('loses nothing when Redis is emptied after the events were relayed and before any consumer ran', async () => {
      await platform.settle();
      const countsBefore = await orderCounts();
      await platform.stack.stop('workers');
      await platform.stack.restart('workers', { BAEDAL_WORKERS_ROLES: 'relays' });
      const ids = await placeMany(50);
      await eventually(
        'the relay to publish every order event',
        async () => (await ordersDb.outboxEvent.count({ where: { relayedAt: null } })) === 0,
        20_000,
      );
      await platform.stack.stop('workers');
      expect(await paymentsDb.payment.count({ where: { orderId: { in: ids } } })).toBe(0);

      await deleteRedisKeys(platform.prefix); // what Redis restarted without persistence looks like to us
      await platform.stack.restart('workers');
      await eventually(
        'the 50 payments',
        async () => (await paymentsDb.payment.count({ where: { orderId: { in: ids } } })) === 50,
        60_000,
      );
      await platform.settle(60_000);
      expect(await paymentsDb.payment.count({ where: { orderId: { in: ids } } })).toBe(50);
      expect(await orderCounts()).toBe(countsBefore + 50);
    }, 120_000);

    it('delivers events committed while the relay was killed', async () => {
      await platform.settle();
      await platform.stack.stop('workers', 'SIGKILL');
      const ids = await placeMany(20);
      expect(await ordersDb.outboxEvent.count({ where: { aggregateId: { in: ids }, relayedAt: null } })).toBe(40); // created + placed
      await platform.stack.restart('workers');
      await eventually(
        'the 20 payments',
        async () => (await paymentsDb.payment.count({ where: { orderId: { in: ids } } })) === 20,
        30_000,
      );
      await platform.settle();
      expect(await paymentsDb.payment.count({ where: { orderId: { in: ids } } })).toBe(20);
    }, 60_000);

    it('places orders while the shops subgraph is stopped', async () => {
      await platform.stack.stop('shops');
      try {
        const response = await graphql(
          url,
          'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status total } }',
          { input: orderInput() },
          bearer(customer.token),
        );
        expect(response.errors).toBeUndefined();
        expect(response.data.placeOrder.status).toBe('PLACED');
        expect(await statusOf(response.data.placeOrder.id)).toBe('PLACED');
      } finally {
        await platform.stack.restart('shops');
      }
    });

    it("answers a repeated key with the key's order even after its item sold out", async () => {
      const input = orderInput();
      const first = await graphql(url, PLACE, { input }, bearer(customer.token));
      const itemId = input.items[0].menuItemId;
      // As a menu event changes the replica: the items, and the menu's version.
      const soldOut = async (value: boolean) => {
        await ordersDb.menuItemReplica.update({ where: { menuItemId: itemId }, data: { soldOut: value } });
        await ordersDb.shopReplica.update({ where: { shopId: shop.id }, data: { menuVersion: { increment: 1 } } });
      };
      await soldOut(true);
      try {
        const repeated = await graphql(url, PLACE, { input }, bearer(customer.token));
        expect(repeated.errors).toBeUndefined();
        expect(repeated.data.placeOrder.id).toBe(first.data.placeOrder.id);
        // A new key is priced against the menu as it is now.
        const fresh = await graphql(
          url,
          PLACE,
          { input: { ...input, idempotencyKey: randomUUID() } },
          bearer(customer.token),
        );
        expect(codes(fresh)).toEqual(['BAD_USER_INPUT']);
      } finally {
        await soldOut(false);
      }
    });

    it('returns one order for concurrent requests with the same idempotency key', async () => {
      const input = orderInput();
      const responses = await Promise.all(
        Array.from({ length: 5 }, () => graphql(url, PLACE, { input }, bearer(customer.token))),
      );
      const ids = new Set(responses.map((r) => r.data?.placeOrder?.id));
      expect(ids.size).toBe(1);
      expect(await ordersDb.order.count({ where: { idempotencyKey: input.idempotencyKey } })).toBe(1);
    });
  });
}
