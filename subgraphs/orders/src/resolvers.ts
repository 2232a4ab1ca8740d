import { DateTimeScalar } from '@baedal/platform';
import * as commands from './commands';
import type { Resolvers } from './generated/graphql';
import * as queries from './queries';
import type { OrderFeedEvent } from './realtime';

/** An entity of another subgraph, by its key. */
export interface Reference {
  id: string;
}

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,

  Query: {
    order: (_, { id }, context) => queries.visibleOrder(id, context),
    myOrders: (_, { first }, { identity }) => queries.myOrders(identity, first),
    shopOrders: (_, args, { identity }) => queries.shopOrders(identity, args),
  },

  Mutation: {
    placeOrder: (_, { input }, { identity }) => commands.placeOrder(identity, input),
    acceptOrder: (_, { id, estimatedCookingMinutes }, { identity }) =>
      commands.changeOrder(identity, id, { transition: 'accept', estimatedCookingMinutes }),
    rejectOrder: (_, { id, reason }, { identity }) =>
      commands.changeOrder(identity, id, { transition: 'reject', reason }),
    cancelOrder: (_, { id, reason }, { identity }) =>
      commands.changeOrder(identity, id, { transition: 'cancel', reason }),
    markOrderPickedUp: (_, { id }, { identity }) => commands.changeOrder(identity, id, { transition: 'pickUp' }),
    markOrderDelivered: (_, { id }, { identity }) => commands.changeOrder(identity, id, { transition: 'deliver' }),
  },

  Subscription: {
    shopOrderEvents: {
      subscribe: (_, { shopIds, after }, { identity }) => queries.shopOrderFeed(identity, shopIds, after),
      resolve: (event: OrderFeedEvent) => event,
    },
    orderUpdates: {
      subscribe: (_, { orderId, after }, { identity }) => queries.orderUpdateFeed(identity, orderId, after),
      resolve: (event: OrderFeedEvent) => event,
    },
  },

  OrderEvent: {
    order: (event) => queries.orderNow(event.orderId),
  },

  Order: {
    __resolveReference: (ref, context) => queries.visibleOrder(ref.id, context),
    shop: (order) => ({ id: order.shopId }),
    customer: (order) => ({ id: order.customerId }),
    lines: (order, _, { loaders }) => loaders.lines.load(order.id),
    history: (order, _, { loaders }) => loaders.history.load(order.id),
    paymentToken: (order, _, { identity }) => queries.paymentTokenOf(order, identity),
  },

  User: {
    __resolveReference: (ref) => ref,
    orders: (user, { first }, { identity }) => queries.ordersOf(user.id, identity, first),
  },
};
