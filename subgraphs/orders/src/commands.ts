import { randomUUID } from 'node:crypto';
import { autoApprovePayment, forbidden, notFound, type Identity } from '@baedal/platform';
import { Prisma, type Order, type OrderStatus } from '@baedal/prisma/orders';
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
  const byKey = () => db.order.findUnique({ where: { customerId_idempotencyKey: { customerId, idempotencyKey: key } } });
  const existing = await byKey();
  if (existing) return existing;

  const shop = await db.shopReplica.findUnique({ where: { shopId: input.shopId } });
  if (!shop || shop.version === 0) throw notFound('Shop', input.shopId);
  const menu = await db.menuItemReplica.findMany({ where: { menuItemId: { in: input.items.map((i) => i.menuItemId) } } });
  const priced = priceOrder(shop, menu, input, new Date());

  const statuses: OrderStatus[] = ['PENDING_PAYMENT'];
  // Development switch until payments approve orders.
  if (autoApprovePayment()) statuses.push(nextStatus('PENDING_PAYMENT', 'pay'));
  const now = Date.now();
  try {
    return await db.$transaction(async (tx) => {
      const order = await tx.order.create({
        data: {
          id: randomUUID(),
          customerId,
          shopId: shop.shopId,
          shopOwnerId: shop.ownerId,
          shopName: shop.name,
          status: statuses.at(-1)!,
          itemsTotal: priced.itemsTotal,
          deliveryFee: priced.deliveryFee,
          total: priced.total,
          deliveryAddress: priced.deliveryAddress,
          deliveryArea: input.deliveryArea,
          idempotencyKey: key,
          version: statuses.length,
          lines: {
            create: priced.lines.map((line) => ({ id: randomUUID(), ...line, options: line.options as unknown as Prisma.InputJsonValue })),
          },
          // Distinct timestamps keep the history's order stable.
          history: { create: statuses.map((status, i) => ({ id: randomUUID(), status, actorId: customerId, at: new Date(now + i) })) },
        },
      });
      for (const [i, status] of statuses.entries()) await publishOrderStatus(tx, order, status, i + 1);
      return order;
    });
  } catch (error) {
    // A concurrent request with the same key won the race: answer with its order.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
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
  const order = await tx.order.update({
    where: { id: orderId },
    data: {
      status: decision.status,
      version: { increment: 1 },
      ...(decision.estimatedCookingMinutes !== null ? { estimatedCookingMinutes: decision.estimatedCookingMinutes } : {}),
      ...(request.paymentId ? { paymentId: request.paymentId } : {}),
      history: { create: { id: randomUUID(), status: decision.status, reason: decision.reason, actorId: request.actorId } },
    },
  });
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
