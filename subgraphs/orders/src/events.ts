import type { Handlers, ManyHandler, MenuSnapshot, OrderEventType, ShopInfo } from '@baedal/contracts';
import { DomainError } from '@baedal/platform';
import type { RawSql } from '@baedal/prisma/clients';
import { payOrders, transitionOrder } from './commands';
import { ordersConfig } from './config';
import { publishOrderEvents } from './realtime';

/*
 * Orders publishes one event per lifecycle step (order.created ...
 * order.canceled; domain/lifecycle.ts builds them, the commands write them)
 * and consumes shop and menu events into its own replica, so that placing an
 * order never calls the shops service, and payment outcomes. It also hosts
 * the rider simulator, the "delivery" consumer, and the live order feed the
 * subscriptions read, the "realtime" consumer.
 */

/** Handlers use raw statements only, so they run in the workers' driver transactions and in Prisma's alike. */
type Tx = RawSql;

// ---- the replica of shops and menus ----

/** A placeholder for a shop whose menu arrived before its terms: closed, so it takes no orders yet. */
function ensureShop(tx: Tx, shopId: string) {
  // ON CONFLICT, not an upsert after a read, so two events of one shop applied at once cannot both insert.
  return tx.$executeRawUnsafe(
    `INSERT INTO "ShopReplica" ("shopId", "ownerId", "name", "minimumOrder", "deliveryFee", "deliveryAreas", "openingHours", "isOpen", "version", "updatedAt")
     VALUES ($1, '', '', 0, 0, '{}', '[]', false, 0, now() AT TIME ZONE 'UTC') ON CONFLICT DO NOTHING`,
    shopId,
  );
}

async function applyShop(tx: Tx, info: ShopInfo, version: number): Promise<void> {
  await ensureShop(tx, info.shopId);
  await tx.$executeRawUnsafe(
    `UPDATE "ShopReplica" SET "ownerId" = $2, "name" = $3, "minimumOrder" = $4, "deliveryFee" = $5, "deliveryAreas" = $6::text[],
       "openingHours" = $7::jsonb, "isOpen" = $8, "version" = $9, "updatedAt" = now() AT TIME ZONE 'UTC'
     WHERE "shopId" = $1 AND "version" < $9`,
    info.shopId,
    info.ownerId,
    info.name,
    info.minimumOrder,
    info.deliveryFee,
    info.deliveryAreas,
    JSON.stringify(info.openingHours),
    info.isOpen,
    version,
  );
}

async function applyMenu(tx: Tx, menu: MenuSnapshot, version: number): Promise<void> {
  await ensureShop(tx, menu.shopId);
  const newer = await tx.$executeRawUnsafe(
    `UPDATE "ShopReplica" SET "menuVersion" = $2, "updatedAt" = now() AT TIME ZONE 'UTC' WHERE "shopId" = $1 AND "menuVersion" < $2`,
    menu.shopId,
    version,
  );
  if (newer === 0) return;
  const items = menu.groups.flatMap((group) =>
    group.items.map((item) => ({
      menuItemId: item.id,
      name: item.name,
      price: item.price,
      soldOut: item.soldOut,
      optionGroups: item.optionGroups,
    })),
  );
  await tx.$executeRawUnsafe('DELETE FROM "MenuItemReplica" WHERE "shopId" = $1', menu.shopId);
  await tx.$executeRawUnsafe(
    `INSERT INTO "MenuItemReplica" ("menuItemId", "shopId", "name", "price", "soldOut", "optionGroups", "version")
     SELECT i."menuItemId", $1, i."name", i."price", i."soldOut", COALESCE(i."optionGroups", '[]'), $2
       FROM jsonb_to_recordset($3::jsonb) AS i("menuItemId" text, "name" text, "price" int, "soldOut" boolean, "optionGroups" jsonb)`,
    menu.shopId,
    version,
    JSON.stringify(items),
  );
}

/** Consumer "orders": the replica of shops and menus, and payment outcomes. */
export const replica: Handlers<Tx> = {
  'payment.approved': {
    many: (events, tx) =>
      payOrders(
        tx,
        events.map((e) => e.payload),
      ),
  },
  'shop.registered': (e, tx) => applyShop(tx, e.payload, e.version),
  'shop.updated': (e, tx) => applyShop(tx, e.payload, e.version),
  'shop.opened': (e, tx) => applyShop(tx, e.payload, e.version),
  'shop.closed': (e, tx) => applyShop(tx, e.payload, e.version),
  'menu.updated': (e, tx) => applyMenu(tx, e.payload, e.version),
};

// ---- the rider simulator ----

/** Moves an order one delivery step, unless it has moved on (canceled, say) meanwhile. */
async function riderStep(tx: Tx, orderId: string, transition: 'pickUp' | 'deliver'): Promise<void> {
  const delay = ordersConfig().BAEDAL_RIDER_DELAY_MS;
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
  try {
    await transitionOrder(tx, orderId, { transition, actor: 'SYSTEM', actorId: null });
  } catch (error) {
    if (error instanceof DomainError && error.code === 'ORDER_STATE_CONFLICT') return;
    throw error;
  }
}

/** Consumer "delivery": a rider picks up every accepted order and delivers it. */
export const riderSimulator: Handlers<Tx> = {
  'order.accepted': (e, tx) => riderStep(tx, e.aggregateId, 'pickUp'),
  'order.picked_up': (e, tx) => riderStep(tx, e.aggregateId, 'deliver'),
};

// ---- the live order feed ----

/** Appends a run of order events to the feed, in their order (realtime.ts); the feed itself drops a redelivery. */
const toFeed: ManyHandler<Tx, OrderEventType> = { many: (events) => publishOrderEvents(events) };

/** Consumer "realtime": every order event, into the feed the subscriptions read. */
export const liveFeed: Handlers<Tx> = {
  'order.created': toFeed,
  'order.placed': toFeed,
  'order.accepted': toFeed,
  'order.rejected': toFeed,
  'order.picked_up': toFeed,
  'order.delivered': toFeed,
  'order.canceled': toFeed,
  'order.expired': toFeed,
};
