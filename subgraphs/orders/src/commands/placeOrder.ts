import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { NewEvent } from '@baedal/contracts';
import { outboxInsert } from '@baedal/events';
import { batchedWrites, DomainError, isUniqueViolation, notFound, rowsInOrder, type Identity } from '@baedal/platform';
import type { MenuItemReplica, Order, OrderStatus, ShopReplica } from '@baedal/prisma/orders';
import { ordersConfig } from '../config';
import { sql } from '../db';
import { requireOrderingCustomer } from '../domain/access';
import { nextStatus, orderStatusEvent, type OrderFacts } from '../domain/lifecycle';
import { priceOrder, type OrderRequest } from '../domain/pricing';

export type PlaceOrderInput = OrderRequest & { shopId: string };

/** A shop's replica as placing an order prices from it: the shop's row and its whole menu. */
type ShopCopy = ShopReplica & { menu: MenuItemReplica[] };

/*
 * Shops recently ordered from, as last read from the replica. An order is priced from this copy and
 * its statement writes it only while the replica is still at the copy's versions (shop and menu), else
 * the shop is read again: a copy never prices an order wrongly, and most orders skip the read, which
 * was one of placing an order's two statements (docs/performance.md, P21).
 */
const copies = new LRUCache<string, ShopCopy>({ max: 2_000 });

async function readShop(shopId: string): Promise<ShopCopy | null> {
  // The shop and its menu in one statement (the items as JSON: every column of theirs is a JSON type).
  const [shop] = await sql.$queryRawUnsafe<ShopCopy[]>(
    `SELECT s.*, COALESCE((SELECT json_agg(m) FROM "MenuItemReplica" m WHERE m."shopId" = s."shopId"), '[]') AS "menu"
       FROM "ShopReplica" s WHERE s."shopId" = $1`,
    shopId,
  );
  if (shop && shop.version > 0) copies.set(shopId, shop);
  else copies.delete(shopId);
  return shop ?? null;
}

/** Tries at pricing and writing an order, each but the first from a fresh read, before placing gives up. */
const PRICINGS = 3;

// Through the driver (sql): the commonest command, where Prisma's own cost was most of the service's (docs/performance.md, P19).
async function orderByKey(customerId: string, key: string): Promise<Order | null> {
  const [order] = await sql.$queryRawUnsafe<Order[]>(
    'SELECT * FROM "Order" WHERE "customerId" = $1 AND "idempotencyKey" = $2',
    customerId,
    key,
  );
  return order ?? null;
}

/**
 * Places an order priced from the orders service's own replica: placing an
 * order never calls the shops service. The same idempotency key returns the
 * same order. The order, its history and its events commit together.
 */
export async function placeOrder(identity: Identity, input: PlaceOrderInput): Promise<Order> {
  const customerId = requireOrderingCustomer(identity);
  const key = input.idempotencyKey.trim();
  // A repeated key is the rare case, so it is not looked up first: the write refuses it (a unique index), and
  // so does pricing when the shop or menu changed since, and either answers with the key's order.
  let copy = copies.get(input.shopId);
  for (let pricing = 0; pricing < PRICINGS; pricing++) {
    const shop = copy ?? (await readShop(input.shopId));
    let priced: ReturnType<typeof priceOrder>;
    try {
      if (!shop || shop.version === 0) throw notFound('Shop', input.shopId);
      priced = priceOrder(shop, shop.menu, input, new Date());
    } catch (error) {
      // A copy may predate the item ordered, or its coming back: only the replica itself refuses.
      if (copy && error instanceof DomainError) {
        copy = undefined;
        continue;
      }
      const existing = error instanceof DomainError ? await orderByKey(customerId, key) : null;
      if (existing) return existing;
      throw error;
    }
    const order = await writeOrder(customerId, input, key, shop, priced);
    if (order) return order;
    // The replica moved on since the copy, or since the read: price again from it as it is now.
    copy = undefined;
  }
  throw new DomainError('CONFLICT', 'The shop changed its terms while the order was placed; try again', {
    field: 'shopId',
  });
}

/** A priced order as the placing statement writes it: the order's row with its lines and history, and its events. */
interface OrderToWrite {
  order: Record<string, unknown> & { id: string; lines: unknown[]; history: unknown[] };
  events: NewEvent[];
}

/*
 * Placing orders writes many customers' orders in one statement when they come together (batchedWrites):
 * each order, its lines, its history and its events, all or nothing, without BEGIN and COMMIT. An order
 * is written only while the shop's replica is still at the versions it was priced from; else it is null.
 */
const writeOrders = batchedWrites(async (orders: readonly OrderToWrite[]): Promise<(Order | null)[]> => {
  const outbox = outboxInsert(
    orders.flatMap((o) => o.events),
    2,
    'e."aggregateId" IN (SELECT "id" FROM placed)',
  );
  const placed = await sql.$queryRawUnsafe<Order[]>(
    `WITH input AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS o("id" text, "customerId" text, "shopId" text, "shopOwnerId" text, "shopName" text,
         "status" text, "itemsTotal" int, "deliveryFee" int, "total" int, "deliveryAddress" text, "deliveryArea" text, "idempotencyKey" text,
         "version" int, "at" text, "shopVersion" int, "menuVersion" int, "lines" jsonb, "history" jsonb)),
     placed AS (
       INSERT INTO "Order" ("id", "customerId", "shopId", "shopOwnerId", "shopName", "status", "itemsTotal", "deliveryFee", "total",
                            "deliveryAddress", "deliveryArea", "idempotencyKey", "version", "createdAt", "updatedAt")
       SELECT o."id", o."customerId", o."shopId", o."shopOwnerId", o."shopName", o."status"::"OrderStatus", o."itemsTotal", o."deliveryFee", o."total",
              o."deliveryAddress", o."deliveryArea", o."idempotencyKey", o."version", o."at"::timestamptz AT TIME ZONE 'UTC', o."at"::timestamptz AT TIME ZONE 'UTC'
         FROM input o
        WHERE EXISTS (SELECT 1 FROM "ShopReplica" r WHERE r."shopId" = o."shopId" AND r."version" = o."shopVersion" AND r."menuVersion" = o."menuVersion")
       RETURNING *),
     lines AS (
       INSERT INTO "OrderLine" ("id", "orderId", "menuItemId", "name", "options", "unitPrice", "quantity", "lineTotal")
       SELECT l."id", placed."id", l."menuItemId", l."name", l."options", l."unitPrice", l."quantity", l."lineTotal"
         FROM placed JOIN input o ON o."id" = placed."id",
              jsonb_to_recordset(o."lines") AS l("id" text, "menuItemId" text, "name" text, "options" jsonb, "unitPrice" int, "quantity" int, "lineTotal" int)),
     history AS (
       INSERT INTO "OrderStatusChange" ("id", "orderId", "status", "actorId", "at")
       SELECT h."id", placed."id", h."status"::"OrderStatus", placed."customerId", h."at"::timestamptz AT TIME ZONE 'UTC'
         FROM placed JOIN input o ON o."id" = placed."id", jsonb_to_recordset(o."history") AS h("id" text, "status" text, "at" text)),
     events AS (${outbox.sql})
     SELECT * FROM placed`,
    JSON.stringify(orders.map((o) => o.order)),
    ...outbox.values,
  );
  return rowsInOrder(
    orders.map((o) => o.order.id),
    placed,
    (order) => order.id,
  );
});

/**
 * Writes a priced order, or nothing (null) if the shop's replica is no longer
 * at the versions it was priced from. A repeated key answers with its order.
 */
async function writeOrder(
  customerId: string,
  input: PlaceOrderInput,
  key: string,
  shop: ShopCopy,
  priced: ReturnType<typeof priceOrder>,
): Promise<Order | null> {
  const statuses: OrderStatus[] = ['PENDING_PAYMENT'];
  // Development switch until payments approve orders.
  if (ordersConfig().ORDERS_AUTO_APPROVE_PAYMENT) statuses.push(nextStatus('PENDING_PAYMENT', 'pay'));
  const orderId = randomUUID();
  const now = Date.now();
  const at = (i: number) => new Date(now + i).toISOString();
  const facts: OrderFacts = {
    id: orderId,
    customerId,
    shopId: shop.shopId,
    shopOwnerId: shop.ownerId,
    status: statuses.at(-1)!,
    itemsTotal: priced.itemsTotal,
    deliveryFee: priced.deliveryFee,
    total: priced.total,
    deliveryArea: input.deliveryArea,
    estimatedCookingMinutes: null,
    paymentId: null,
  };
  const order = {
    ...facts,
    shopName: shop.name,
    deliveryAddress: priced.deliveryAddress,
    idempotencyKey: key,
    version: statuses.length,
    at: at(0),
    shopVersion: shop.version,
    menuVersion: shop.menuVersion,
    lines: priced.lines.map((line) => ({ id: randomUUID(), ...line })),
    // Distinct timestamps keep the history's order stable.
    history: statuses.map((status, i) => ({ id: randomUUID(), status, at: at(i) })),
  };
  try {
    return await writeOrders({ order, events: statuses.map((status, i) => orderStatusEvent(facts, status, i + 1)) });
  } catch (error) {
    // A concurrent request with the same key won the race: answer with its order.
    if (isUniqueViolation(error)) {
      const winner = await orderByKey(customerId, key);
      if (winner) return winner;
    }
    throw error;
  }
}
