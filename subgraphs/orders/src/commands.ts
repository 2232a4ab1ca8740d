import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { outboxInsert, type NewEvent } from '@baedal/events';
import {
  autoApprovePayment,
  batchedWrites,
  DomainError,
  forbidden,
  isUniqueViolation,
  notFound,
  roundsBy,
  rowsInOrder,
  type Identity,
} from '@baedal/platform';
import type { RawSql } from '@baedal/prisma/clients';
import type { MenuItemReplica, Order, OrderStatus, ShopReplica } from '@baedal/prisma/orders';
import { db, sql } from './db';
import { actorFor } from './domain/access';
import { decideTransition, nextStatus, type TransitionRequest } from './domain/lifecycle';
import { priceOrder, type OrderRequest } from './domain/pricing';
import { orderStatusEvent, type OrderFacts } from './events';

/** Raw statements only: commands run in the driver's transactions (sql), consumers and changeOrder in either kind. */
type Tx = RawSql;

export type PlaceOrderInput = OrderRequest & { shopId: string };

/** A shop's replica as placing an order prices from it: the shop's row and its whole menu. */
type ShopCopy = ShopReplica & { menu: MenuItemReplica[] };

/*
 * Shops recently ordered from, as last read from the replica. An order is priced from this copy and
 * its statement writes it only while the replica is still at the copy's versions (shop and menu), else
 * the shop is read again: a copy never prices an order wrongly, and most orders skip the read, which
 * was one of placing an order's two statements (docs/benchmarks.md).
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

// Through the driver (sql): the commonest command, where Prisma's own cost was most of the service's (docs/benchmarks.md).
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
export async function placeOrder(customerId: string, input: PlaceOrderInput): Promise<Order> {
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
  if (autoApprovePayment()) statuses.push(nextStatus('PENDING_PAYMENT', 'pay'));
  const orderId = randomUUID();
  const now = Date.now();
  const at = (i: number) => new Date(now + i).toISOString();
  const facts: OrderFacts = {
    id: orderId,
    customerId,
    shopId: shop.shopId,
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
    shopOwnerId: shop.ownerId,
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

export type OrderMove = TransitionRequest & { orderId: string; actorId: string | null; paymentId?: string };

/**
 * Applies lifecycle steps to orders inside `tx`, in the order given: lock, decide,
 * write status, history and events together, in one statement per round however
 * many orders move. Each move's answer is its order after the step, or the domain
 * error that refused it (the other moves still happen).
 */
export async function moveOrders(tx: Tx, moves: OrderMove[]): Promise<(Order | DomainError)[]> {
  const ids = [...new Set(moves.map((m) => m.orderId))];
  // Locked in id order, so two batches moving the same orders cannot deadlock. Whole rows: while they are
  // locked, each step's order afterwards is decided here, so its event is written by the step's own statement.
  const locked = await tx.$queryRawUnsafe<Order[]>(
    'SELECT * FROM "Order" WHERE "id" = ANY($1::text[]) ORDER BY "id" FOR UPDATE',
    ids,
  );
  const orders = new Map(locked.map((o) => [o.id, o]));
  const answers: (Order | DomainError)[] = [];
  const decided: { index: number; after: Order; reason: string | null }[] = [];
  for (const [index, move] of moves.entries()) {
    const before = orders.get(move.orderId);
    try {
      if (!before) throw notFound('Order', move.orderId);
      const decision = decideTransition(before.status, move);
      const after: Order = {
        ...before,
        status: decision.status,
        version: before.version + 1,
        estimatedCookingMinutes: decision.estimatedCookingMinutes ?? before.estimatedCookingMinutes,
        paymentId: move.paymentId ?? before.paymentId,
      };
      orders.set(move.orderId, after);
      decided.push({ index, after, reason: decision.reason });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      answers[index] = error;
    }
  }
  // One statement per round; an order that moves twice in one call moves in a later round,
  // a millisecond later, so its history and its events keep the order of its steps.
  const start = Date.now();
  for (const [roundNo, round] of roundsBy(decided, (d) => d.after.id).entries()) {
    const at = new Date(start + roundNo).toISOString();
    const rows = round.map(({ index, after, reason }) => ({
      orderId: after.id,
      status: after.status,
      version: after.version,
      minutes: after.estimatedCookingMinutes,
      paymentId: after.paymentId,
      historyId: randomUUID(),
      reason,
      actorId: moves[index].actorId,
    }));
    const outbox = outboxInsert(
      round.map(({ after, reason }) => orderStatusEvent(after, after.status, after.version, reason)),
      3,
    );
    const moved = await tx.$queryRawUnsafe<Order[]>(
      `WITH step AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb)
           AS s("orderId" text, "status" text, "version" int, "minutes" int, "paymentId" text, "historyId" text, "reason" text, "actorId" text)),
       moved AS (
         UPDATE "Order" o SET
           "status" = step."status"::"OrderStatus",
           "version" = step."version",
           "estimatedCookingMinutes" = step."minutes",
           "paymentId" = step."paymentId",
           "updatedAt" = $2::timestamptz AT TIME ZONE 'UTC'
         FROM step WHERE o."id" = step."orderId"
         RETURNING o.*),
       noted AS (
         INSERT INTO "OrderStatusChange" ("id", "orderId", "status", "reason", "actorId", "at")
         SELECT step."historyId", step."orderId", step."status"::"OrderStatus", step."reason", step."actorId", $2::timestamptz AT TIME ZONE 'UTC'
           FROM step JOIN moved ON moved."id" = step."orderId"),
       events AS (${outbox.sql})
       SELECT * FROM moved`,
      JSON.stringify(rows),
      at,
      ...outbox.values,
    );
    const byId = new Map(moved.map((o) => [o.id, o]));
    for (const { index, after } of round) answers[index] = byId.get(after.id)!;
  }
  return answers;
}

/** Applies one lifecycle step inside `tx` (see moveOrders); throws the error that refused it. */
export async function transitionOrder(
  tx: Tx,
  orderId: string,
  request: TransitionRequest & { actorId: string | null; paymentId?: string },
): Promise<Order> {
  const [answer] = await moveOrders(tx, [{ ...request, orderId }]);
  if (answer instanceof DomainError) throw answer;
  return answer;
}

/** A caller's request to move an order: checks the caller's part in the order first. */
export async function changeOrder(
  identity: Identity,
  orderId: string,
  request: Omit<TransitionRequest, 'actor'>,
): Promise<Order> {
  const order = await db.order.findUnique({ where: { id: orderId } });
  if (!order) throw notFound('Order', orderId);
  const actor = actorFor(order, identity);
  if (!actor) throw forbidden('This order is not yours to change');
  return db.$transaction((tx) => transitionOrder(tx, orderId, { ...request, actor, actorId: identity.userId }));
}
