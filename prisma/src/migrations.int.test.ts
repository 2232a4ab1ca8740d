import { randomUUID } from 'node:crypto';
import { SERVICES, postgresServerUrl, type ServiceName } from '@baedal/platform';
import { createAdsClient } from './ads';
import { dropDatabase, ensureDatabase } from './databases';
import { migrate } from './migrate';
import { createOrdersClient } from './orders';
import { createPaymentsClient } from './payments';
import { createReviewsClient } from './reviews';
import { createShopsClient } from './shops';

/*
 * Proves each schema.prisma matches its migrations: migrate an empty
 * database, then write and read every model through the generated client.
 * A model or column the migrations lack fails here.
 */

const prefix = `baedal_mt${process.pid}`;
const urlOf = (service: ServiceName) => `${postgresServerUrl()}/${prefix}_${service}`;
const id = () => randomUUID();

beforeAll(async () => {
  for (const service of SERVICES) {
    await dropDatabase(`${prefix}_${service}`);
    await ensureDatabase(`${prefix}_${service}`);
  }
}, 60_000);

afterAll(async () => {
  for (const service of SERVICES) await dropDatabase(`${prefix}_${service}`);
}, 60_000);

describe.each(SERVICES)('%s migrations', (service) => {
  it('apply to an empty database, and a second run applies nothing', async () => {
    expect((await migrate(service, urlOf(service))).length).toBeGreaterThan(0);
    expect(await migrate(service, urlOf(service))).toEqual([]);
  });
});

describe('every model of every schema reads through its client after migrating', () => {
  const clients = {
    shops: [createShopsClient, require('./shops').Prisma.ModelName],
    ads: [createAdsClient, require('./ads').Prisma.ModelName],
    orders: [createOrdersClient, require('./orders').Prisma.ModelName],
    payments: [createPaymentsClient, require('./payments').Prisma.ModelName],
    reviews: [createReviewsClient, require('./reviews').Prisma.ModelName],
  } as const;

  it.each(SERVICES)('%s: a findMany of every model selects all its columns', async (service) => {
    const [create, modelNames] = clients[service];
    const db = create(urlOf(service), 1) as unknown as Record<
      string,
      { findMany(args: object): Promise<unknown[]> }
    > & { $disconnect(): Promise<void> };
    try {
      const models = Object.values(modelNames as Record<string, string>);
      expect(models.length).toBeGreaterThan(0);
      for (const model of models) {
        const delegate = db[model.charAt(0).toLowerCase() + model.slice(1)];
        await expect(delegate.findMany({ take: 1 })).resolves.toEqual(expect.any(Array));
      }
    } finally {
      await db.$disconnect();
    }
  });
});

describe('every model works through its client after migrating', () => {
  it('shops', async () => {
    const db = createShopsClient(urlOf('shops'), 2);
    try {
      const owner = await db.account.create({
        data: { id: id(), email: `${id()}@x.dev`, name: 'o', role: 'OWNER', passwordHash: 'h' },
      });
      const shop = await db.shop.create({
        data: {
          id: id(),
          ownerId: owner.id,
          name: 's',
          category: 'PIZZA',
          minimumOrder: 1,
          deliveryFee: 0,
          deliveryAreas: ['MAPO'],
          openingHours: [],
        },
      });
      const group = await db.menuGroup.create({ data: { id: id(), shopId: shop.id, name: 'g', position: 0 } });
      await db.menuItem.create({
        data: { id: id(), shopId: shop.id, groupId: group.id, name: 'i', price: 1000, position: 0 },
      });
      const loaded = await db.shop.findUniqueOrThrow({
        where: { id: shop.id },
        include: { owner: true, menuGroups: { include: { items: true } }, menuItems: true },
      });
      expect(loaded.menuGroups[0].items[0].price).toBe(1000);
      expect(loaded.deliveryAreas).toEqual(['MAPO']);
    } finally {
      await db.$disconnect();
    }
  });

  it('ads', async () => {
    const db = createAdsClient(urlOf('ads'), 2);
    try {
      const c = await db.adCampaign.create({
        data: {
          id: id(),
          shopId: 's',
          product: 'ULTRA_CALL',
          area: 'MAPO',
          startsAt: new Date(),
          endsAt: new Date(),
          status: 'ACTIVE',
        },
      });
      expect((await db.adCampaign.findUniqueOrThrow({ where: { id: c.id } })).product).toBe('ULTRA_CALL');
    } finally {
      await db.$disconnect();
    }
  });

  it('orders', async () => {
    const db = createOrdersClient(urlOf('orders'), 2);
    try {
      await db.shopReplica.create({
        data: {
          shopId: 's',
          ownerId: 'o',
          name: 's',
          minimumOrder: 0,
          deliveryFee: 0,
          deliveryAreas: [],
          openingHours: [],
          isOpen: true,
          version: 1,
        },
      });
      await db.menuItemReplica.create({
        data: { menuItemId: 'm', shopId: 's', name: 'm', price: 1, soldOut: false, version: 1 },
      });
      const order = await db.order.create({
        data: {
          id: id(),
          customerId: 'c',
          shopId: 's',
          shopOwnerId: 'o',
          shopName: 's',
          status: 'PLACED',
          itemsTotal: 1,
          deliveryFee: 0,
          total: 1,
          deliveryAddress: 'a',
          deliveryArea: 'MAPO',
          idempotencyKey: 'k',
          lines: { create: [{ id: id(), menuItemId: 'm', name: 'm', unitPrice: 1, quantity: 1, lineTotal: 1 }] },
          history: { create: [{ id: id(), status: 'PLACED' }] },
        },
      });
      const loaded = await db.order.findUniqueOrThrow({
        where: { id: order.id },
        include: { lines: true, history: true },
      });
      expect([loaded.lines.length, loaded.history.length]).toEqual([1, 1]);
      expect(await db.menuItemReplica.count()).toBe(1);
      expect(await db.shopReplica.count()).toBe(1);
    } finally {
      await db.$disconnect();
    }
  });

  it('payments', async () => {
    const db = createPaymentsClient(urlOf('payments'), 2);
    try {
      await db.payment.create({
        data: { id: id(), orderId: 'o', customerId: 'c', amount: 1000, method: 'CARD', status: 'APPROVED' },
      });
      expect(await db.payment.count()).toBe(1);
    } finally {
      await db.$disconnect();
    }
  });

  it('reviews', async () => {
    const db = createReviewsClient(urlOf('reviews'), 2);
    try {
      await db.review.create({ data: { id: id(), shopId: 's', orderId: 'o', customerId: 'c', rating: 5, text: 't' } });
      await db.shopRating.create({ data: { shopId: 's', reviewCount: 1, ratingSum: 5 } });
      expect(await db.review.count()).toBe(1);
      expect(await db.shopRating.count()).toBe(1);
    } finally {
      await db.$disconnect();
    }
  });
});
