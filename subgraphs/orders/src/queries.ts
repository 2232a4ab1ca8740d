import { signOrderCharge, type OrderStatus } from '@baedal/contracts';
import { notFound, pageSize, type Identity } from '@baedal/platform';
import type { Order } from '@baedal/prisma/orders';
import { db, shopsOfOwners, type Context } from './db';
import { checkCursor, followOrderFeed, type OrderFeedEvent } from './realtime';
import {
  canPayOrder,
  requireOrderFollower,
  requireShopFeedOwner,
  requireWellFormedId,
  SHOP_FEED_EVENTS,
  requireOrderViewer,
  requireOrderingCustomer,
  requireOrdersOf,
  requireOwnShopOrders,
  requireShopOrdersViewer,
  requireVisibleOrder,
} from './domain/access';

/* What the orders subgraph reads beyond its loaders, each behind its access rule. */

/** An order its caller plays a part in; NOT_FOUND or FORBIDDEN otherwise. */
export async function visibleOrder(id: string, { identity, loaders }: Context): Promise<Order> {
  requireOrderViewer(identity);
  const order = await loaders.order.load(id);
  if (!order) throw notFound('Order', id);
  requireVisibleOrder(order, identity);
  return order;
}

function ordersOfCustomer(customerId: string, first: number): Promise<Order[]> {
  return db.order.findMany({
    where: { customerId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: pageSize(first),
  });
}

/** The signed-in customer's orders, newest first. */
export function myOrders(identity: Identity, first: number): Promise<Order[]> {
  return ordersOfCustomer(requireOrderingCustomer(identity), first);
}

/** A customer's orders, for themself or an admin. */
export function ordersOf(customerId: string, identity: Identity, first: number): Promise<Order[]> {
  requireOrdersOf(customerId, identity);
  return ordersOfCustomer(customerId, first);
}

/** A shop's orders, newest first, for its owner or an admin (ownership from orders' replica of shops). */
export async function shopOrders(
  identity: Identity,
  args: { shopId: string; status?: OrderStatus | null; first: number },
): Promise<Order[]> {
  requireShopOrdersViewer(identity);
  const shop = await db.shopReplica.findUnique({ where: { shopId: args.shopId } });
  if (!shop) throw notFound('Shop', args.shopId);
  requireOwnShopOrders(shop, identity);
  return db.order.findMany({
    where: { shopId: args.shopId, ...(args.status ? { status: args.status } : {}) },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: pageSize(args.first),
  });
}

/**
 * An owner's live feed of their shops' orders: the shops named (each must be
 * theirs: FORBIDDEN, or NOT_FOUND for no such shop) or all of them.
 */
export async function shopOrderFeed(
  identity: Identity,
  shopIds: readonly string[] | null | undefined,
  after: string | null | undefined,
): Promise<AsyncGenerator<OrderFeedEvent>> {
  const ownerId = requireShopFeedOwner(identity);
  for (const id of shopIds ?? []) requireWellFormedId('shopIds', id);
  const cursor = checkCursor(after);
  const owned = new Set((await shopsOfOwners.load(ownerId)).map((s) => s.shopId));
  for (const id of shopIds ?? []) {
    if (owned.has(id)) continue;
    const shop = await db.shopReplica.findUnique({ where: { shopId: id } });
    if (!shop) throw notFound('Shop', id);
    requireOwnShopOrders(shop, identity);
  }
  const watched = shopIds ? new Set(shopIds) : owned;
  return followOrderFeed({ shopIds: watched }, (e) => SHOP_FEED_EVENTS.has(e.type), cursor);
}

/** The live steps of one order, for the customer who placed it. */
export async function orderUpdateFeed(
  identity: Identity,
  orderId: string,
  after: string | null | undefined,
): Promise<AsyncGenerator<OrderFeedEvent>> {
  requireWellFormedId('orderId', orderId);
  const cursor = checkCursor(after);
  const order = await db.order.findUnique({ where: { id: orderId }, select: { customerId: true } });
  if (!order) throw notFound('Order', orderId);
  requireOrderFollower(order, identity);
  return followOrderFeed({ orderId }, () => true, cursor);
}

/** An event's order as it is now: read afresh for every event (a subscription outlives any loader). */
export async function orderNow(orderId: string): Promise<Order> {
  const order = await db.order.findUnique({ where: { id: orderId } });
  if (!order) throw notFound('Order', orderId);
  return order;
}

/** Orders' signed word on what the order costs, for its customer while it waits for payment. */
export function paymentTokenOf(order: Order, identity: Identity): string | null {
  if (!canPayOrder(order, identity)) return null;
  return signOrderCharge({ orderId: order.id, customerId: order.customerId, total: order.total });
}
