import { CATEGORIES, DELIVERY_AREAS, type Category } from '@baedal/contracts';
import { BRANCHES, BRANDS, FAMILY_NAMES, GIVEN_NAMES, MENU, REVIEW_TEXTS } from './seedData';

/*
 * Demo data for every service database, deterministic from a seed value:
 * the same seed gives the same accounts, shops, menus, reviews and campaigns
 * (campaign dates are relative to today so that they are running now).
 */

export interface SeedOptions {
  shops: number;
  seed: number;
  customers: number;
}

export const DEMO_PASSWORD = 'baedal1234';
export const DEMO_ADMIN_EMAIL = 'admin@baedal.dev';
export const demoCustomerEmail = (n: number) => `customer${n}@baedal.dev`;
export const demoOwnerEmail = (n: number) => `owner${n}@baedal.dev`;
const SHOPS_PER_OWNER = 5;

/** mulberry32: small, fast and good enough for demo data. */
function prng(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const uuid = () => {
    const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16));
    hex[12] = '4';
    hex[16] = '89ab'[Math.floor(next() * 4)];
    const s = hex.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  };
  return { next, int, pick, uuid };
}

function openingHoursFor(index: number, category: Category) {
  // A third of the shops, and all of the first demo owner's, never close, so the demo always has shops to order from.
  const [opens, closes] =
    index % 3 === 0 || index < SHOPS_PER_OWNER
      ? ['00:00', '00:00']
      : category === 'NIGHT_SNACK' || category === 'CHICKEN'
        ? ['16:00', '03:00']
        : ['10:00', '22:00'];
  return Array.from({ length: 7 }, (_, day) => ({ day, opens, closes }));
}

/** Every row the seed writes, in every service's database, made from `options` alone. */
export function demoData(options: SeedOptions, passwordHash: string) {
  const rnd = prng(options.seed);
  const now = Date.now();
  const day = 24 * 60 * 60 * 1000;

  const person = () => `${rnd.pick(FAMILY_NAMES)}${rnd.pick(GIVEN_NAMES)}`;
  const admin = { id: rnd.uuid(), email: DEMO_ADMIN_EMAIL, name: '관리자', role: 'ADMIN' as const, passwordHash };
  const customers = Array.from({ length: options.customers }, (_, i) => ({
    id: rnd.uuid(),
    email: demoCustomerEmail(i + 1),
    name: person(),
    role: 'CUSTOMER' as const,
    passwordHash,
  }));
  const owners = Array.from({ length: Math.ceil(options.shops / SHOPS_PER_OWNER) }, (_, i) => ({
    id: rnd.uuid(),
    email: demoOwnerEmail(i + 1),
    name: person(),
    role: 'OWNER' as const,
    passwordHash,
  }));

  const shops = [];
  const groups = [];
  const items = [];
  const campaigns = [];
  const orders = [];
  const lines = [];
  const history: {
    id: string;
    orderId: string;
    status: 'PENDING_PAYMENT' | 'PLACED' | 'ACCEPTED' | 'PICKED_UP' | 'DELIVERED';
    at: Date;
  }[] = [];
  const payments = [];
  const ledgers = [];
  const reviews = [];
  const ratings = [];

  for (let i = 0; i < options.shops; i++) {
    const category = CATEGORIES[i % CATEGORIES.length];
    const primaryArea = DELIVERY_AREAS[Math.floor(i / CATEGORIES.length) % DELIVERY_AREAS.length];
    const areas = new Set<string>([primaryArea]);
    for (let extra = rnd.int(0, 2); extra > 0; extra--) areas.add(rnd.pick(DELIVERY_AREAS));
    const shop = {
      id: rnd.uuid(),
      ownerId: owners[Math.floor(i / SHOPS_PER_OWNER)].id,
      name: `${rnd.pick(BRANDS[category])} ${rnd.pick(BRANCHES)}`,
      category,
      description: `${category === 'CAFE_DESSERT' ? '디저트와 커피' : '맛있는 음식'}을 빠르게 배달합니다.`,
      minimumOrder: rnd.pick([8000, 10000, 12000, 14000, 15000, 18000]),
      deliveryFee: rnd.pick([0, 1000, 2000, 2500, 3000, 3500, 4000]),
      deliveryAreas: [...areas],
      openingHours: openingHoursFor(i, category),
      isOpen: i < SHOPS_PER_OWNER || rnd.next() > 0.05,
    };
    shops.push(shop);

    const menu = MENU[category];
    const itemCount = rnd.int(10, 30);
    const shopGroups = menu.groups.map((name, position) => ({ id: rnd.uuid(), shopId: shop.id, name, position }));
    groups.push(...shopGroups);
    const shopItems = Array.from({ length: itemCount }, (_, position) => {
      const base = menu.items[position % menu.items.length];
      const variant = Math.floor(position / menu.items.length);
      return {
        id: rnd.uuid(),
        shopId: shop.id,
        groupId: shopGroups[position % shopGroups.length].id,
        name: variant === 0 ? base : `${base} ${['(대)', '(특)', '세트'][variant - 1] ?? variant + 1}`,
        description: '',
        price: Math.round((menu.base * (0.3 + rnd.next() * 1.2)) / 500) * 500,
        soldOut: rnd.next() < 0.05,
        position,
      };
    });
    items.push(...shopItems);

    if (rnd.next() < 0.15) {
      campaigns.push({
        id: rnd.uuid(),
        shopId: shop.id,
        product: rnd.next() < 0.4 ? ('ULTRA_CALL' as const) : ('OPEN_LIST' as const),
        area: primaryArea,
        startsAt: new Date(now - rnd.int(1, 20) * day),
        endsAt: new Date(now + rnd.int(10, 40) * day),
        status: 'ACTIVE' as const,
      });
    }

    // Each review stands on a delivered, paid order of a demo customer.
    const reviewCount = rnd.int(0, 8);
    let ratingSum = 0;
    for (let r = 0; r < reviewCount; r++) {
      const customer = rnd.pick(customers);
      const item = rnd.pick(shopItems);
      const quantity = Math.max(1, Math.ceil(shop.minimumOrder / Math.max(item.price, 1)));
      const itemsTotal = item.price * quantity;
      const placedAt = new Date(now - rnd.int(1, 60) * day - rnd.int(0, day));
      const orderId = rnd.uuid();
      const area = [...areas][0];
      orders.push({
        id: orderId,
        customerId: customer.id,
        shopId: shop.id,
        shopOwnerId: shop.ownerId,
        shopName: shop.name,
        status: 'DELIVERED' as const,
        itemsTotal,
        deliveryFee: shop.deliveryFee,
        total: itemsTotal + shop.deliveryFee,
        deliveryAddress: `서울시 ${area} ${rnd.int(1, 300)}번길 ${rnd.int(1, 40)}`,
        deliveryArea: area,
        idempotencyKey: `seed-${orderId}`,
        version: 5,
        createdAt: placedAt,
      });
      lines.push({
        id: rnd.uuid(),
        orderId,
        menuItemId: item.id,
        name: item.name,
        unitPrice: item.price,
        quantity,
        lineTotal: itemsTotal,
      });
      (['PENDING_PAYMENT', 'PLACED', 'ACCEPTED', 'PICKED_UP', 'DELIVERED'] as const).forEach((status, step) => {
        history.push({ id: rnd.uuid(), orderId, status, at: new Date(placedAt.getTime() + step * 10 * 60 * 1000) });
      });
      payments.push({
        id: rnd.uuid(),
        orderId,
        customerId: customer.id,
        amount: itemsTotal + shop.deliveryFee,
        method: 'CARD',
        status: 'APPROVED' as const,
        createdAt: placedAt,
      });
      // Payments' ledger of the order as its events left it: order.placed (version 2) is the last order event it consumes.
      ledgers.push({
        orderId,
        customerId: customer.id,
        shopOwnerId: shop.ownerId,
        total: itemsTotal + shop.deliveryFee,
        version: 2,
      });
      const rating = Math.min(5, Math.max(1, Math.round(3.6 + rnd.next() * 2 - (rnd.next() < 0.15 ? 2 : 0))));
      ratingSum += rating;
      reviews.push({
        id: rnd.uuid(),
        shopId: shop.id,
        shopOwnerId: shop.ownerId,
        orderId,
        customerId: customer.id,
        rating,
        text: rnd.pick(REVIEW_TEXTS),
        createdAt: new Date(placedAt.getTime() + day),
      });
    }
    if (reviewCount > 0) ratings.push({ shopId: shop.id, reviewCount, ratingSum, version: 1 });
  }
  return {
    accounts: [admin, ...customers, ...owners],
    customers,
    shops,
    groups,
    items,
    campaigns,
    orders,
    lines,
    history,
    payments,
    ledgers,
    reviews,
    ratings,
  };
}
