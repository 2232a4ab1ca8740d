import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { isOpenAt, parseOpeningHours } from '@baedal/contracts';
import {
  ANONYMOUS,
  COMMANDS_PATH,
  IDENTITY_HEADERS,
  IDENTITY_WINDOW_MS,
  MAX_GATHERED_COMMANDS,
  identityHeaders,
  issueToken,
  type ServiceName,
} from '@baedal/platform';
import { createAdsClient } from '@baedal/prisma/ads';
import { createOrdersClient } from '@baedal/prisma/orders';
import { createReviewsClient } from '@baedal/prisma/reviews';
import { createShopsClient } from '@baedal/prisma/shops';
import { asGateway, bearer, codes, gatewayInternal, graphql, login } from '../support/graphql';
import { type TestPlatform } from '../support/stack';
import { startPlainGateway } from '../support/plainGateway';
import { REPO_ROOT } from '@baedal/stack';
import { Kind, OperationTypeNode, parse, print, type OperationDefinitionNode } from 'graphql';

/*
 * The foundation through the one endpoint, against real processes, Postgres
 * and Redis: entities joined from three subgraphs, a shop's menu, an order
 * placed by a customer and seen by the owner, and every refusal.
 *
 * Long on purpose: its tests share the fixtures set up above them (test/README.md).
 */

export function foundationSuite(shared: () => TestPlatform): void {
  let platform: TestPlatform;
  let url: string;
  let shopsDb: ReturnType<typeof createShopsClient>;
  let ordersDb: ReturnType<typeof createOrdersClient>;
  let adsDb: ReturnType<typeof createAdsClient>;
  let reviewsDb: ReturnType<typeof createReviewsClient>;

  beforeAll(async () => {
    platform = shared();
    url = platform.gatewayUrl;
    shopsDb = createShopsClient(platform.databaseUrl('shops'), 2);
    ordersDb = createOrdersClient(platform.databaseUrl('orders'), 2);
    adsDb = createAdsClient(platform.databaseUrl('ads'), 2);
    reviewsDb = createReviewsClient(platform.databaseUrl('reviews'), 2);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([shopsDb, ordersDb, adsDb, reviewsDb].map((db) => db?.$disconnect()));
  }, 60_000);

  /** An owner1 shop that is open now, with an item that is not sold out. */
  async function orderableShop() {
    const owner = await shopsDb.account.findUniqueOrThrow({ where: { email: 'owner1@baedal.dev' } });
    const shops = await shopsDb.shop.findMany({
      where: { ownerId: owner.id },
      include: { menuItems: { where: { soldOut: false }, orderBy: { price: 'desc' } } },
    });
    const shop = shops.find(
      (s) => isOpenAt(parseOpeningHours(s.openingHours), !s.isOpen, new Date()) && s.menuItems.length > 0,
    );
    if (!shop) throw new Error('the seed gives owner1 an always-open shop; none found');
    return shop;
  }

  describe('public answers', () => {
    // Every public operation of the README and the bench (test/bench/scenarios/reads.ts).
    const PUBLIC_OPERATIONS: [string, Record<string, unknown>][] = [
      [
        '{ shops(area: GANGNAM, first: 5) { edges { node { name rating adPlacement(area: GANGNAM) { product } } } } }',
        {},
      ],
      [
        '{ home(area: GANGNAM) { categories { category shopCount } advertisedShops { name adPlacement(area: GANGNAM) { product } } } }',
        {},
      ],
      ['{ searchShops(query: "치킨", area: MAPO) { name rating } }', {}],
      [
        '{ shops(area: GANGNAM, category: CHICKEN, sort: RECOMMENDED, first: 10) { edges { cursor node { id name deliveryFee minimumOrder isOpenNow rating reviewCount adPlacement(area: GANGNAM) { product } } } pageInfo { hasNextPage endCursor } } }',
        {},
      ],
      [
        'query Shop($id: ID!) { shop(id: $id) { name description openingHours { day opens closes } menu { name items { id name price soldOut } } reviews(first: 3) { rating text } } }',
        { id: 'SHOP' },
      ],
      [
        'query Home($area: DeliveryArea!) { home(area: $area) { categories { category shopCount } advertisedShops { id name deliveryFee rating reviewCount adPlacement(area: $area) { product } } } }',
        { area: 'MAPO' },
      ],
      [
        'query List($area: DeliveryArea!, $category: Category, $after: String) { shops(area: $area, category: $category, first: 20, after: $after) { edges { cursor node { id name category deliveryFee minimumOrder rating reviewCount adPlacement(area: $area) { product } } } pageInfo { hasNextPage endCursor } } }',
        { area: 'MAPO', category: null, after: null },
      ],
      [
        'query Detail($id: ID!) { shop(id: $id) { id name description deliveryFee minimumOrder openingHours { day opens closes } rating reviewCount menu { id name items { id name price soldOut optionGroups { id name options { id name price } } } } } }',
        { id: 'SHOP' },
      ],
      [
        'query Search($q: String!, $area: DeliveryArea) { searchShops(query: $q, area: $area, first: 20) { id name rating reviewCount } }',
        { q: '치킨', area: null },
      ],
    ];

    it('are the same bytes for an anonymous caller, a customer, an owner and an admin, from the response cache', async () => {
      const shop = await orderableShop();
      const [customer, owner] = await Promise.all([
        login(url, 'customer1@baedal.dev'),
        login(url, 'owner1@baedal.dev'),
      ]);
      const admin = issueToken({ id: randomUUID(), role: 'ADMIN' });
      const callers = [{}, bearer(customer.token), bearer(owner.token), bearer(admin)];
      for (const [query, given] of PUBLIC_OPERATIONS) {
        const variables = Object.fromEntries(Object.entries(given).map(([k, v]) => [k, v === 'SHOP' ? shop.id : v]));
        const body = JSON.stringify({ query, variables });
        const answers = [];
        for (const headers of callers) {
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers },
            body,
          });
          answers.push({ text: await response.text(), cache: response.headers.get('x-cache') });
        }
        expect(JSON.parse(answers[0].text).errors).toBeUndefined();
        for (const answer of answers) expect(answer.text).toBe(answers[0].text);
        // Whoever asks after the first, the shared answer comes from the response cache.
        expect(answers.slice(1).map((a) => a.cache)).toEqual(['hit', 'hit', 'hit']);
      }
    });

    it('a forged token is refused even for a kept public answer', async () => {
      const [query] = PUBLIC_OPERATIONS[0];
      await graphql(url, query);
      const forged = await graphql(url, query, {}, bearer('not.a.token'));
      expect(forged.status).toBe(401);
      expect(codes(forged)).toEqual(['UNAUTHENTICATED']);
    });

    it('refuses an operation over a limit before any work, naming the limit: 300 aliased searches, nesting at first: 50', async () => {
      const aliased = `{ ${Array.from({ length: 300 }, (_, i) => `s${i}: searchShops(query: "치킨") { id name }`).join(' ')} }`;
      const nested =
        '{ searchShops(query: "치킨", first: 50) { reviews(first: 50) { shop { reviews(first: 50) { shop { reviews(first: 50) { text } } } } } } }';
      for (const query of [aliased, nested]) {
        const refused = await graphql(url, query);
        expect(refused.status).toBe(400);
        expect(codes(refused)).toEqual(['QUERY_TOO_COMPLEX']);
        expect(refused.data).toBeUndefined();
      }
    });
  });

  describe("Baedal's supergraph against the standard path", () => {
    let plain: Awaited<ReturnType<typeof startPlainGateway>>;

    beforeAll(async () => {
      const sdl = fs.readFileSync(path.join(REPO_ROOT, 'gateway', 'supergraph.graphql'), 'utf8');
      plain = await startPlainGateway(
        sdl,
        (name) => `http://127.0.0.1:${platform.stack.port(name as ServiceName)}/graphql`,
      );
    });

    afterAll(async () => {
      await plain?.stop();
    });

    it('answers every README sample read as a plain @apollo/gateway does, for its caller', async () => {
      const shop = await orderableShop();
      const [customer, owner] = await Promise.all([
        login(url, 'customer1@baedal.dev'),
        login(url, 'owner1@baedal.dev'),
      ]);
      const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
      const reads = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)]
        .flatMap((m) => parse(m[1]).definitions)
        .filter(
          (d): d is OperationDefinitionNode =>
            d.kind === Kind.OPERATION_DEFINITION && d.operation === OperationTypeNode.QUERY,
        );
      expect(reads.length).toBeGreaterThanOrEqual(7);
      const normalize = (answer: { data?: unknown; errors?: { message: string; path?: unknown }[] }) =>
        JSON.stringify({ data: answer.data, errors: answer.errors?.map((e) => [e.message, e.path]) });
      for (const operation of reads) {
        // A text of its own, so Baedal computes it now rather than answering a copy kept by an earlier test.
        const query = `${print(operation)}\n# differential`;
        const variables = { id: shop.id, shopId: shop.id };
        const used = Object.fromEntries(
          (operation.variableDefinitions ?? []).map((v) => [
            v.variable.name.value,
            variables[v.variable.name.value as 'id'],
          ]),
        );
        const caller = /myShops|shopOrders/.test(query) ? owner.token : customer.token;
        const [ours, theirs] = await Promise.all([
          graphql(url, query, used, bearer(caller)),
          graphql(plain.url, query, used, bearer(caller)),
        ]);
        expect([operation.name?.value, normalize(ours)]).toEqual([operation.name?.value, normalize(theirs)]);
      }
    });
  });

  describe('health', () => {
    it('answers /healthz and /readyz, and serves the playground at GET /graphql', async () => {
      const base = url.replace(/\/graphql$/, '');
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      // The public port says whether; the internal port says which subgraphs.
      expect(await ready.json()).toEqual({ status: 'ready' });
      const details = await fetch(gatewayInternal(url, '/readyz'));
      expect(((await details.json()) as { subgraphs: { ready: boolean }[] }).subgraphs.every((s) => s.ready)).toBe(
        true,
      );
      expect((await fetch(`${base}/metrics`)).status).toBe(404);
      const landing = await fetch(url, { headers: { accept: 'text/html' } });
      expect(landing.status).toBe(200);
      expect(await landing.text()).toContain('<title>Baedal playground</title>');
    });

    it('answers a query sent by GET with its query string, and 404 for an unknown path', async () => {
      const query = encodeURIComponent('{ __typename }');
      const byGet = await fetch(`${url}?query=${query}`, { headers: { 'apollo-require-preflight': 'true' } });
      expect(byGet.status).toBe(200);
      expect(await byGet.json()).toEqual({ data: { __typename: 'Query' } });
      const base = url.replace(/\/graphql$/, '');
      const unknown = await fetch(`${base}/nowhere?graphql`);
      expect(unknown.status).toBe(404);
    });

    it('runs the workers at a higher CPU priority than the processes serving requests', () => {
      const priority = (name: 'workers' | 'gateway' | 'orders') =>
        os.getPriority(platform.stack.processes.get(name)!.pid);
      // Raising a priority needs root (or CAP_SYS_NICE), which CI has; elsewhere the workers keep the one given.
      const expected = process.getuid?.() === 0 ? -5 : 0;
      expect(priority('workers')).toBe(expected);
      expect(priority('gateway')).toBe(0);
      expect(priority('orders')).toBe(0);
    });
  });

  describe('customer browsing', () => {
    it('lists shops with rating and ad fields, joining entities from the shops, reviews and ads subgraphs', async () => {
      const campaign = await adsDb.adCampaign.findFirstOrThrow({ where: { status: 'ACTIVE' }, orderBy: { id: 'asc' } });
      const shop = await shopsDb.shop.findUniqueOrThrow({ where: { id: campaign.shopId } });
      const rating = await reviewsDb.shopRating.findUnique({ where: { shopId: shop.id } });

      // Walk the area's pages until the advertised shop appears.
      let after: string | null = null;
      let found: any;
      let pages = 0;
      do {
        const response: any = await graphql(
          url,
          `
            query ($area: DeliveryArea!, $category: Category, $after: String) {
              shops(area: $area, category: $category, first: 5, after: $after) {
                edges {
                  node {
                    id
                    name
                    category
                    rating
                    reviewCount
                    adPlacement(area: $area) {
                      product
                      area
                    }
                    reviews(first: 1) {
                      rating
                    }
                    activeAds {
                      id
                      startsAt
                    }
                  }
                }
                pageInfo {
                  hasNextPage
                  endCursor
                }
              }
            }
          `,
          { area: campaign.area, category: shop.category, after },
        );
        expect(response.errors).toBeUndefined();
        found = response.data.shops.edges.map((e: any) => e.node).find((n: any) => n.id === shop.id) ?? null;
        after = response.data.shops.pageInfo.hasNextPage ? response.data.shops.pageInfo.endCursor : null;
        pages++;
      } while (!found && after && pages < 50);

      // reviews and activeAds exist only in the reviews and ads subgraphs: the gateway joined them.
      const newest = await reviewsDb.review.findFirst({
        where: { shopId: shop.id },
        orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
      });
      expect(found.reviews).toEqual(newest ? [{ rating: newest.rating }] : []);
      expect(found.activeAds).toContainEqual({ id: campaign.id, startsAt: campaign.startsAt.toISOString() });
      delete found.reviews;
      delete found.activeAds;
      expect(found).toEqual({
        id: shop.id,
        name: shop.name,
        category: shop.category,
        rating: rating ? Math.round((rating.ratingSum * 10) / rating.reviewCount) / 10 : null,
        reviewCount: rating?.reviewCount ?? 0,
        adPlacement: { product: campaign.product, area: campaign.area },
      });
    });

    it('pages through an area without repeating or skipping shops', async () => {
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const response: any = await graphql(
          url,
          'query($after: String) { shops(area: MAPO, first: 7, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }',
          { after },
        );
        seen.push(...response.data.shops.edges.map((e: any) => e.node.id));
        after = response.data.shops.pageInfo.hasNextPage ? response.data.shops.pageInfo.endCursor : null;
      } while (after);
      const expected = await shopsDb.shop.count({ where: { deliveryAreas: { has: 'MAPO' } } });
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen.length).toBe(expected);
    });

    it('opens a shop with its menu groups and items', async () => {
      const shop = await shopsDb.shop.findFirstOrThrow({ include: { menuItems: true, menuGroups: true } });
      const response = await graphql(
        url,
        'query($id: ID!) { shop(id: $id) { id name minimumOrder deliveryFee isOpenNow openingHours { day opens closes } menu { name items { id name price soldOut } } } }',
        { id: shop.id },
      );
      expect(response.errors).toBeUndefined();
      const detail = response.data.shop;
      expect(detail.menu.map((g: any) => g.name)).toEqual(
        shop.menuGroups.sort((a, b) => a.position - b.position).map((g) => g.name),
      );
      const items = detail.menu.flatMap((g: any) => g.items);
      expect(items).toHaveLength(shop.menuItems.length);
      const first = shop.menuItems[0];
      expect(items.find((i: any) => i.id === first.id)).toEqual({
        id: first.id,
        name: first.name,
        price: first.price,
        soldOut: first.soldOut,
      });
      expect(detail.openingHours).toHaveLength(7);
    });

    it('answers an unknown shop with NOT_FOUND and bad arguments with BAD_USER_INPUT', async () => {
      expect(codes(await graphql(url, '{ shop(id: "no-such-shop") { id } }'))).toEqual(['NOT_FOUND']);
      expect(codes(await graphql(url, '{ shops(area: GANGNAM, first: 500) { edges { cursor } } }'))).toEqual([
        'BAD_USER_INPUT',
      ]);
      expect(codes(await graphql(url, '{ shops(area: GANGNAM, after: "bogus") { edges { cursor } } }'))).toEqual([
        'BAD_USER_INPUT',
      ]);
      expect(codes(await graphql(url, '{ shops(area: ATLANTIS) { edges { cursor } } }'))).toEqual([
        'GRAPHQL_VALIDATION_FAILED',
      ]);
    });
  });

  describe('identity', () => {
    it('signs in seeded accounts and refuses a wrong password', async () => {
      const response = await graphql(
        url,
        'mutation { login(email: "customer1@baedal.dev", password: "baedal1234") { token user { email role } } }',
      );
      expect(response.data.login.user).toEqual({ email: 'customer1@baedal.dev', role: 'CUSTOMER' });
      const { token } = response.data.login;
      expect((await graphql(url, '{ me { email role } }', {}, bearer(token))).data.me).toEqual({
        email: 'customer1@baedal.dev',
        role: 'CUSTOMER',
      });
      expect(
        codes(await graphql(url, 'mutation { login(email: "customer1@baedal.dev", password: "nope") { token } }')),
      ).toEqual(['UNAUTHENTICATED']);
    });

    it('refuses a forged token at the gateway with UNAUTHENTICATED', async () => {
      const response = await graphql(url, '{ me { id } }', {}, bearer('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.forged'));
      expect(response.status).toBe(401);
      expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    });

    it('subgraphs refuse identity headers that are missing, forged, or replayed with another body, subgraph or time', async () => {
      const shopsUrl = `http://127.0.0.1:${platform.stack.port('shops')}/graphql`;
      const unsigned = await graphql(shopsUrl, '{ me { id } }');
      expect(unsigned.status).toBe(401);
      expect(codes(unsigned)).toEqual(['UNAUTHENTICATED']);
      const customer = { userId: 'someone', role: 'CUSTOMER' } as const;
      expect((await asGateway(shopsUrl, 'shops', ANONYMOUS, '{ me { id } }')).data).toEqual({ me: null });

      const body = JSON.stringify({ query: '{ me { id } }', variables: {} });
      const captured = identityHeaders(customer, { audience: 'shops', body });
      const send = (headers: Record<string, string>, sent = body) =>
        fetch(shopsUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: sent });
      expect((await send(captured)).status).toBe(200);
      const refusals = {
        'another role': { ...captured, [IDENTITY_HEADERS.role]: 'ADMIN' },
        'another body': captured,
        'another subgraph': identityHeaders(customer, { audience: 'ads', body }),
        'another method': identityHeaders(customer, { audience: 'shops', method: 'GET', body }),
        'after the window': identityHeaders(
          customer,
          { audience: 'shops', body },
          Date.now() - IDENTITY_WINDOW_MS - 1000,
        ),
      };
      for (const [what, headers] of Object.entries(refusals)) {
        const response = await send(headers, what === 'another body' ? body.replace('id', 'id name') : body);
        const answer = (await response.json()) as { errors?: { extensions: { code: string } }[] };
        expect([what, response.status, answer.errors?.[0].extensions.code]).toEqual([what, 401, 'UNAUTHENTICATED']);
      }
      // The signature is checked before the body is read: a large unsigned body is refused for who sent it.
      const large = await send({}, JSON.stringify({ query: `{ me { id } }`, pad: 'x'.repeat(5 * 1024 * 1024) }));
      expect(large.status).toBe(401);
    });

    it("subgraphs run gathered commands each under its own caller's signed identity, refusing only those not signed", async () => {
      const commandsUrl = `http://127.0.0.1:${platform.stack.port('shops')}${COMMANDS_PATH}`;
      const [first, second] = await Promise.all(
        ['customer1@baedal.dev', 'customer2@baedal.dev'].map((email) =>
          shopsDb.account.findUniqueOrThrow({ where: { email } }),
        ),
      );
      const me = JSON.stringify({ query: '{ me { email } }' });
      const as = (id: string, body = me) => ({
        'content-type': 'application/json',
        ...identityHeaders({ userId: id, role: 'CUSTOMER' }, { audience: 'shops', body }),
      });
      const post = async (message: unknown, signed = true) => {
        const body = JSON.stringify(message);
        const response = await fetch(commandsUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(signed ? identityHeaders(ANONYMOUS, { audience: 'shops', body }) : {}),
          },
          body,
        });
        return {
          status: response.status,
          body: (await response.json()) as {
            answers?: { status: number; body: string }[];
            errors?: { extensions: { code: string } }[];
          },
        };
      };
      const tooLarge = JSON.stringify({ query: '{ me { email } }', pad: 'x'.repeat(1024 * 1024) });
      const { status, body } = await post({
        commands: [
          { headers: as(first.id), body: me },
          { headers: { ...as(first.id), [IDENTITY_HEADERS.user]: second.id }, body: me },
          { headers: as(second.id), body: me },
          { headers: as(second.id, '{ not json'), body: '{ not json' },
          // Another command's signed headers, with this body.
          { headers: as(first.id), body: JSON.stringify({ query: '{ me { id email } }' }) },
          { headers: as(first.id, tooLarge), body: tooLarge },
        ],
      });
      expect(status).toBe(200);
      expect(body.answers!.map((answer) => [answer.status, JSON.parse(answer.body)])).toEqual([
        [200, { data: { me: { email: 'customer1@baedal.dev' } } }],
        [401, { errors: [expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } })] }],
        [200, { data: { me: { email: 'customer2@baedal.dev' } } }],
        [400, { errors: [expect.objectContaining({ extensions: { code: 'BAD_REQUEST' } })] }],
        [401, { errors: [expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } })] }],
        [413, { errors: [expect.objectContaining({ extensions: { code: 'PAYLOAD_TOO_LARGE' } })] }],
      ]);
      for (const malformed of [
        {},
        { commands: [{ body: me }] },
        { commands: Array(MAX_GATHERED_COMMANDS + 1).fill({ headers: as(first.id), body: me }) },
      ]) {
        const refused = await post(malformed);
        expect([refused.status, refused.body.errors?.[0].extensions.code]).toEqual([400, 'BAD_REQUEST']);
      }
      const unsigned = await post({ commands: [{ headers: as(first.id), body: me }] }, false);
      expect([unsigned.status, unsigned.body.errors?.[0].extensions.code]).toEqual([401, 'UNAUTHENTICATED']);
    });
  });

  describe('ordering', () => {
    const PLACE = `mutation($input: PlaceOrderInput!) {
    placeOrder(input: $input) { id status itemsTotal deliveryFee total shop { id name } lines { menuItemId quantity unitPrice lineTotal } history { status } }
  }`;
    let orderId: string;
    let shop: Awaited<ReturnType<typeof orderableShop>>;
    let customer: { token: string; userId: string };
    let input: Record<string, unknown>;

    beforeAll(async () => {
      shop = await orderableShop();
      customer = await login(url, 'customer1@baedal.dev');
      const item = shop.menuItems[0];
      const quantity = Math.max(1, Math.ceil(shop.minimumOrder / item.price));
      input = {
        shopId: shop.id,
        items: [{ menuItemId: item.id, quantity }],
        deliveryAddress: '서울시 강남구 테헤란로 231',
        deliveryArea: shop.deliveryAreas[0],
        idempotencyKey: randomUUID(),
      };
    });

    it('places an order as a customer, priced from the menu, with the shop resolved from the shops subgraph', async () => {
      const response = await graphql(url, PLACE, { input }, bearer(customer.token));
      expect(response.errors).toBeUndefined();
      const order = response.data.placeOrder;
      const item = shop.menuItems[0];
      const quantity = (input.items as { quantity: number }[])[0].quantity;
      expect(order).toMatchObject({
        status: 'PLACED',
        itemsTotal: item.price * quantity,
        deliveryFee: shop.deliveryFee,
        total: item.price * quantity + shop.deliveryFee,
        shop: { id: shop.id, name: shop.name },
        lines: [{ menuItemId: item.id, quantity, unitPrice: item.price, lineTotal: item.price * quantity }],
        history: [{ status: 'PENDING_PAYMENT' }, { status: 'PLACED' }],
      });
      orderId = order.id;
      const stored = await ordersDb.order.findUniqueOrThrow({ where: { id: orderId } });
      expect(stored).toMatchObject({ customerId: customer.userId, shopId: shop.id, total: order.total });
    });

    it('returns the same order for a repeated idempotency key', async () => {
      const again = await graphql(url, PLACE, { input }, bearer(customer.token));
      expect(again.data.placeOrder.id).toBe(orderId);
      expect(
        await ordersDb.order.count({
          where: { customerId: customer.userId, idempotencyKey: input.idempotencyKey as string },
        }),
      ).toBe(1);
    });

    it("shows the order to its customer and to the shop's owner", async () => {
      const mine = await graphql(url, '{ myOrders { id } me { id } }', {}, bearer(customer.token));
      expect(mine.data.myOrders.map((o: any) => o.id)).toContain(orderId);
      const owner = await login(url, 'owner1@baedal.dev');
      const dashboard = await graphql(
        url,
        'query($shopId: ID!) { shopOrders(shopId: $shopId, status: PLACED) { id total } }',
        { shopId: shop.id },
        bearer(owner.token),
      );
      expect(dashboard.errors).toBeUndefined();
      expect(dashboard.data.shopOrders.map((o: any) => o.id)).toContain(orderId);
      const detail = await graphql(
        url,
        'query($id: ID!) { order(id: $id) { id status customer { id } } }',
        { id: orderId },
        bearer(owner.token),
      );
      expect(detail.data.order).toEqual({ id: orderId, status: 'PLACED', customer: { id: customer.userId } });
    });

    it('refuses the order to another owner, another customer and an anonymous caller', async () => {
      const query = 'query($id: ID!) { order(id: $id) { id total } }';
      const otherOwner = await login(url, 'owner2@baedal.dev');
      expect(codes(await graphql(url, query, { id: orderId }, bearer(otherOwner.token)))).toEqual(['FORBIDDEN']);
      expect(
        codes(
          await graphql(
            url,
            'query($s: ID!) { shopOrders(shopId: $s) { id } }',
            { s: shop.id },
            bearer(otherOwner.token),
          ),
        ),
      ).toEqual(['FORBIDDEN']);
      const otherCustomer = await login(url, 'customer2@baedal.dev');
      expect(codes(await graphql(url, query, { id: orderId }, bearer(otherCustomer.token)))).toEqual(['FORBIDDEN']);
      expect(codes(await graphql(url, query, { id: orderId }))).toEqual(['UNAUTHENTICATED']);
      expect(codes(await graphql(url, '{ myOrders { id } }'))).toEqual(['UNAUTHENTICATED']);
    });

    it('refuses to place orders for anonymous callers and owners, and bad input, writing nothing', async () => {
      const before = await ordersDb.order.count();
      const fresh = () => ({ ...input, idempotencyKey: randomUUID() });
      expect(codes(await graphql(url, PLACE, { input: fresh() }))).toEqual(['UNAUTHENTICATED']);
      const owner = await login(url, 'owner1@baedal.dev');
      expect(codes(await graphql(url, PLACE, { input: fresh() }, bearer(owner.token)))).toEqual(['FORBIDDEN']);
      const auth = bearer(customer.token);
      expect(codes(await graphql(url, PLACE, { input: { ...fresh(), shopId: 'no-such-shop' } }, auth))).toEqual([
        'NOT_FOUND',
      ]);
      const bad = await graphql(
        url,
        PLACE,
        { input: { ...fresh(), items: [{ menuItemId: shop.menuItems[0].id, quantity: 0 }] } },
        auth,
      );
      expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
      expect(bad.errors?.[0].extensions?.field).toBe('items.quantity');
      expect(
        codes(
          await graphql(
            url,
            PLACE,
            { input: { ...fresh(), items: [{ menuItemId: 'not-on-menu', quantity: 1 }] } },
            auth,
          ),
        ),
      ).toEqual(['BAD_USER_INPUT']);
      expect(await ordersDb.order.count()).toBe(before);
    });
  });
}
