import { randomUUID } from 'node:crypto';
import { autoApprovePayment, forbidden, isUniqueViolation, notFound, type Identity } from '@baedal/platform';
import type { MenuItemReplica, Order, OrderStatus, Prisma, ShopReplica } from '@baedal/prisma/orders';
import { db } from './db';
import { actorFor } from './domain/access';
import { decideTransition, nextStatus, type TransitionRequest } from './domain/lifecycle';
import { priceOrder, type OrderRequest } from './domain/pricing';
import { publishOrderStatus } from './events';

type Tx = Prisma.TransactionClient;

export type PlaceOrderInput = OrderRequest & { shopId: string };

/**
 * Places an order priced from the orders service's own replica: placing an
 * order never calls the shops service. The same idempotency key returns the
 * same order. The order, its history and its events commit together.
 */
export async function placeOrder(customerId: string, input: PlaceOrderInput): Promise<Order> {
  const key = input.idempotencyKey.trim();
  // Raw statements on this path: each Prisma model call costs about twice a raw one (docs/benchmarks.md).
  const byKey = async () =>
    (await db.$queryRaw<Order[]>`SELECT * FROM "Order" WHERE "customerId" = ${customerId} AND "idempotencyKey" = ${key}`)[0] ?? null;
  const existing = await byKey();
  if (existing) return existing;

  const itemIds = input.items.map((i) => i.menuItemId);
  const [[shop], menu] = await Promise.all([
    db.$queryRaw<ShopReplica[]>`SELECT * FROM "ShopReplica" WHERE "shopId" = ${input.shopId}`,
    db.$queryRaw<MenuItemReplica[]>`SELECT * FROM "MenuItemReplica" WHERE "menuItemId" = ANY(${itemIds}::text[])`,
  ]);
  if (!shop || shop.version === 0) throw notFound('Shop', input.shopId);
  const priced = priceOrder(shop, menu, input, new Date());

  const statuses: OrderStatus[] = ['PENDING_PAYMENT'];
  // Development switch until payments approve orders.
  if (autoApprovePayment()) statuses.push(nextStatus('PENDING_PAYMENT', 'pay'));
  const orderId = randomUUID();
  const now = Date.now();
  const at = (i: number) => new Date(now + i).toISOString();
  const lines = priced.lines.map((line) => ({ id: randomUUID(), ...line }));
  // Distinct timestamps keep the history's order stable.
  const history = statuses.map((status, i) => ({ id: randomUUID(), status, at: at(i) }));
  try {
    return await db.$transaction(async (tx) => {
      // The order, its lines and its history in one statement.
      const [order] = await tx.$queryRaw<Order[]>`
        WITH placed AS (
          INSERT INTO "Order" ("id", "customerId", "shopId", "shopOwnerId", "shopName", "status", "itemsTotal", "deliveryFee", "total",
                               "deliveryAddress", "deliveryArea", "idempotencyKey", "version", "createdAt", "updatedAt")
          VALUES (${orderId}, ${customerId}, ${shop.shopId}, ${shop.ownerId}, ${shop.name}, ${statuses.at(-1)!}::"OrderStatus",
                  ${priced.itemsTotal}, ${priced.deliveryFee}, ${priced.total}, ${priced.deliveryAddress}, ${input.deliveryArea}, ${key},
                  ${statuses.length}, ${at(0)}::timestamptz AT TIME ZONE 'UTC', ${at(0)}::timestamptz AT TIME ZONE 'UTC')
          RETURNING *),
        lines AS (
          INSERT INTO "OrderLine" ("id", "orderId", "menuItemId", "name", "options", "unitPrice", "quantity", "lineTotal")
          SELECT l."id", placed."id", l."menuItemId", l."name", l."options", l."unitPrice", l."quantity", l."lineTotal"
            FROM placed, jsonb_to_recordset(${JSON.stringify(lines)}::jsonb)
              AS l("id" text, "menuItemId" text, "name" text, "options" jsonb, "unitPrice" int, "quantity" int, "lineTotal" int)),
        history AS (
          INSERT INTO "OrderStatusChange" ("id", "orderId", "status", "actorId", "at")
          SELECT h."id", placed."id", h."status"::"OrderStatus", ${customerId}, h."at"::timestamptz AT TIME ZONE 'UTC'
            FROM placed, jsonb_to_recordset(${JSON.stringify(history)}::jsonb) AS h("id" text, "status" text, "at" text))
        SELECT * FROM placed`;
      for (const [i, status] of statuses.entries()) await publishOrderStatus(tx, order, status, i + 1);
      return order;
    });
  } catch (error) {
    // A concurrent request with the same key won the race: answer with its order.
    if (isUniqueViolation(error)) {
      const winner = await byKey();
      if (winner) return winner;
    }
    throw error;
  }
}

/** Applies one lifecycle step inside `tx`: lock, decide, write status, history and event together. */
export async function transitionOrder(tx: Tx, orderId: string, request: TransitionRequest & { actorId: string | null; paymentId?: string }): Promise<Order> {
  const [current] = await tx.$queryRaw<Order[]>`SELECT * FROM "Order" WHERE "id" = ${orderId} FOR UPDATE`;
  if (!current) throw notFound('Order', orderId);
  const decision = decideTransition(current.status, request);
  const at = new Date().toISOString();
  // The new status and its history entry in one statement: a transition is on every order's path.
  const [order] = await tx.$queryRaw<Order[]>`
    WITH moved AS (
      UPDATE "Order" SET
        "status" = ${decision.status}::"OrderStatus",
        "version" = "version" + 1,
        "estimatedCookingMinutes" = COALESCE(${decision.estimatedCookingMinutes}::int, "estimatedCookingMinutes"),
        "paymentId" = COALESCE(${request.paymentId ?? null}::text, "paymentId"),
        "updatedAt" = ${at}::timestamptz AT TIME ZONE 'UTC'
      WHERE "id" = ${orderId}
      RETURNING *),
    noted AS (
      INSERT INTO "OrderStatusChange" ("id", "orderId", "status", "reason", "actorId", "at")
      SELECT ${randomUUID()}, "id", "status", ${decision.reason}, ${request.actorId}, ${at}::timestamptz AT TIME ZONE 'UTC' FROM moved)
    SELECT * FROM moved`;
  await publishOrderStatus(tx, order, decision.status, order.version, decision.reason);
  return order;
}

/** A caller's request to move an order: checks the caller's part in the order first. */
export async function changeOrder(identity: Identity, orderId: string, request: Omit<TransitionRequest, 'actor'>): Promise<Order> {
  const order = await db.order.findUnique({ where: { id: orderId } });
  if (!order) throw notFound('Order', orderId);
  const actor = actorFor(order, identity);
  if (!actor) throw forbidden('This order is not yours to change');
  return db.$transaction((tx) => transitionOrder(tx, orderId, { ...request, actor, actorId: identity.userId }));
}
