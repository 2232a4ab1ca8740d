import { signOrderCharge, type OrderStatus } from '@baedal/contracts';
import { notFound, pageSize, type Identity } from '@baedal/platform';
import type { Order } from '@baedal/prisma/orders';
import { db, type Context } from './db';
import {
  canPayOrder,
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

/** Orders' signed word on what the order costs, for its customer while it waits for payment. */
export function paymentTokenOf(order: Order, identity: Identity): string | null {
  if (!canPayOrder(order, identity)) return null;
  return signOrderCharge({ orderId: order.id, customerId: order.customerId, total: order.total });
}
