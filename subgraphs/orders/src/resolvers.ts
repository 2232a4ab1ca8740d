import { randomUUID } from 'node:crypto';
import {
  autoApprovePayment,
  DateTimeScalar,
  forbidden,
  notFound,
  pageSize,
  requireRole,
  requireSignedIn,
  type SubgraphContext,
} from '@baedal/platform';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { Prisma, type Order, type OrderStatus } from '@baedal/prisma/orders';
import { db, type Loaders } from './db';
import { canViewOrder } from './domain/access';
import { nextStatus } from './domain/lifecycle';
import { priceOrder, type OrderRequest } from './domain/pricing';

type Context = SubgraphContext<Loaders>;

async function visibleOrder(id: string, { identity, loaders }: Context): Promise<Order> {
  requireSignedIn(identity);
  const order = await loaders.order.load(id);
  if (!order) throw notFound('Order', id);
  if (!canViewOrder(order, identity)) throw forbidden('This order is not yours to see');
  return order;
}

function ordersOfCustomer(customerId: string, first: number) {
  return db.order.findMany({ where: { customerId }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: pageSize(first) });
}

async function placeOrder(customerId: string, input: OrderRequest & { shopId: string }): Promise<Order> {
  const key = input.idempotencyKey.trim();
  const byKey = () => db.order.findUnique({ where: { customerId_idempotencyKey: { customerId, idempotencyKey: key } } });
  const existing = await byKey();
  if (existing) return existing;

  // The orders service's own replica: placing an order never calls the shops service.
  const shop = await db.shopReplica.findUnique({ where: { shopId: input.shopId } });
  if (!shop) throw notFound('Shop', input.shopId);
  const menu = await db.menuItemReplica.findMany({ where: { menuItemId: { in: input.items.map((i) => i.menuItemId) } } });
  const priced = priceOrder(shop, menu, input, new Date());

  const id = randomUUID();
  const statuses: OrderStatus[] = ['PENDING_PAYMENT'];
  if (autoApprovePayment()) statuses.push(nextStatus('PENDING_PAYMENT', 'pay'));
  const now = Date.now();
  try {
    return await db.order.create({
      data: {
        id,
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
        lines: { create: priced.lines.map((line) => ({ id: randomUUID(), ...line })) },
        // Distinct timestamps keep the history's order stable.
        history: { create: statuses.map((status, i) => ({ id: randomUUID(), status, actorId: customerId, at: new Date(now + i) })) },
      },
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

export const resolvers: GraphQLResolverMap<Context> = {
  DateTime: DateTimeScalar,

  Query: {
    order: (_: unknown, { id }: { id: string }, context: Context) => visibleOrder(id, context),
    myOrders(_: unknown, { first }: { first: number }, { identity }: Context) {
      return ordersOfCustomer(requireRole(identity, 'CUSTOMER'), first);
    },
    async shopOrders(_: unknown, args: { shopId: string; status?: OrderStatus | null; first: number }, { identity }: Context) {
      const userId = requireRole(identity, 'OWNER', 'ADMIN');
      const shop = await db.shopReplica.findUnique({ where: { shopId: args.shopId } });
      if (!shop) throw notFound('Shop', args.shopId);
      if (identity.role !== 'ADMIN' && shop.ownerId !== userId) throw forbidden('You can only see orders of your own shops');
      return db.order.findMany({
        where: { shopId: args.shopId, ...(args.status ? { status: args.status } : {}) },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: pageSize(args.first),
      });
    },
  },

  Mutation: {
    placeOrder(_: unknown, { input }: { input: OrderRequest & { shopId: string } }, { identity }: Context) {
      return placeOrder(requireRole(identity, 'CUSTOMER'), input);
    },
  },

  Order: {
    __resolveReference: (ref: { id: string }, context: Context) => visibleOrder(ref.id, context),
    shop: (order: Order) => ({ id: order.shopId }),
    customer: (order: Order) => ({ id: order.customerId }),
    lines: (order: Order, _: unknown, { loaders }: Context) => loaders.lines.load(order.id),
    history: (order: Order, _: unknown, { loaders }: Context) => loaders.history.load(order.id),
  },

  User: {
    __resolveReference: (ref: { id: string }) => ref,
    orders(user: { id: string }, { first }: { first: number }, { identity }: Context) {
      if (identity.userId !== user.id && identity.role !== 'ADMIN') throw forbidden("You can only see your own orders");
      return ordersOfCustomer(user.id, first);
    },
  },
};
