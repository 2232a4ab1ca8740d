import { DateTimeScalar, forbidden, requireSignedIn, type SubgraphContext } from '@baedal/platform';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { Payment } from '@baedal/prisma/payments';
import type { Loaders } from './db';

type Context = SubgraphContext<Loaders>;

export const resolvers: GraphQLResolverMap<Context> = {
  DateTime: DateTimeScalar,

  Payment: {
    async __resolveReference(ref: { id: string }, { identity, loaders }: Context) {
      requireSignedIn(identity);
      const payment = await loaders.payment.load(ref.id);
      if (payment && identity.role === 'CUSTOMER' && payment.customerId !== identity.userId) {
        throw forbidden('This payment is not yours to see');
      }
      return payment;
    },
    order: (payment: Payment) => ({ id: payment.orderId }),
  },

  Order: {
    __resolveReference: (ref: { id: string }) => ref,
    // The gateway asks for this only after the orders subgraph has shown the caller the order.
    payment: (order: { id: string }, _: unknown, { loaders }: Context) => loaders.paymentOfOrder.load(order.id),
  },
};
