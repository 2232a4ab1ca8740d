import {
  DateTimeScalar,
  forbidden,
  notFound,
  pageSize,
  requireRole,
  requireSignedIn,
  signOrderCharge,
  type SubgraphContext,
} from '@baedal/platform';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { Order, OrderStatus } from '@baedal/prisma/orders';
import { changeOrder, placeOrder, type PlaceOrderInput } from './commands';
import { db, type Loaders } from './db';
import { canPayOrder, canViewOrder } from './domain/access';

type Context = SubgraphContext<Loaders>;

async function visibleOrder(id: string, { identity, loaders }: Context): Promise<Order> {
  requireSignedIn(identity);
  const order = await loaders.order.load(id);
  if (!order) throw notFound('Order', id);
  if (!canViewOrder(order, identity)) throw forbidden('This order is not yours to see');
  return order;
}

function ordersOfCustomer(customerId: string, first: number) {
  return db.order.findMany({
    where: { customerId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: pageSize(first),
  });
}

export const resolvers: GraphQLResolverMap<Context> = {
  DateTime: DateTimeScalar,

  Query: {
    order: (_: unknown, { id }: { id: string }, context: Context) => visibleOrder(id, context),
    myOrders(_: unknown, { first }: { first: number }, { identity }: Context) {
      return ordersOfCustomer(requireRole(identity, 'CUSTOMER'), first);
    },
    async shopOrders(
      _: unknown,
      args: { shopId: string; status?: OrderStatus | null; first: number },
      { identity }: Context,
    ) {
      const userId = requireRole(identity, 'OWNER', 'ADMIN');
      const shop = await db.shopReplica.findUnique({ where: { shopId: args.shopId } });
      if (!shop) throw notFound('Shop', args.shopId);
      if (identity.role !== 'ADMIN' && shop.ownerId !== userId)
        throw forbidden('You can only see orders of your own shops');
      return db.order.findMany({
        where: { shopId: args.shopId, ...(args.status ? { status: args.status } : {}) },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: pageSize(args.first),
      });
    },
  },

  Mutation: {
    placeOrder(_: unknown, { input }: { input: PlaceOrderInput }, { identity }: Context) {
      return placeOrder(requireRole(identity, 'CUSTOMER'), input);
    },
    acceptOrder: (_: unknown, args: { id: string; estimatedCookingMinutes: number }, { identity }: Context) =>
      changeOrder(identity, args.id, { transition: 'accept', estimatedCookingMinutes: args.estimatedCookingMinutes }),
    rejectOrder: (_: unknown, args: { id: string; reason: string }, { identity }: Context) =>
      changeOrder(identity, args.id, { transition: 'reject', reason: args.reason }),
    cancelOrder: (_: unknown, args: { id: string; reason?: string | null }, { identity }: Context) =>
      changeOrder(identity, args.id, { transition: 'cancel', reason: args.reason }),
    markOrderPickedUp: (_: unknown, args: { id: string }, { identity }: Context) =>
      changeOrder(identity, args.id, { transition: 'pickUp' }),
    markOrderDelivered: (_: unknown, args: { id: string }, { identity }: Context) =>
      changeOrder(identity, args.id, { transition: 'deliver' }),
  },

  Order: {
    __resolveReference: (ref: { id: string }, context: Context) => visibleOrder(ref.id, context),
    shop: (order: Order) => ({ id: order.shopId }),
    customer: (order: Order) => ({ id: order.customerId }),
    lines: (order: Order, _: unknown, { loaders }: Context) => loaders.lines.load(order.id),
    history: (order: Order, _: unknown, { loaders }: Context) => loaders.history.load(order.id),
    paymentToken: (order: Order, _: unknown, { identity }: Context) =>
      canPayOrder(order, identity)
        ? signOrderCharge({ orderId: order.id, customerId: order.customerId, total: order.total })
        : null,
  },

  User: {
    __resolveReference: (ref: { id: string }) => ref,
    orders(user: { id: string }, { first }: { first: number }, { identity }: Context) {
      if (identity.userId !== user.id && identity.role !== 'ADMIN') throw forbidden('You can only see your own orders');
      return ordersOfCustomer(user.id, first);
    },
  },
};
