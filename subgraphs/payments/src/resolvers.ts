import { DateTimeScalar } from '@baedal/platform';
import * as commands from './commands';
import { db } from './db';
import type { Resolvers } from './generated/graphql';
import * as queries from './queries';

/** An order as the orders subgraph refers to it: payments adds its payment. */
export interface OrderRef {
  id: string;
}

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,

  Query: {
    payment: (_, { id }, context) => queries.visiblePayment(id, context),
    couponCampaign: (_, { id }) => queries.couponCampaign(id),
    myCoupons: (_, __, { identity }) => queries.myCoupons(identity),
  },

  Mutation: {
    payOrder: (_, input, { identity }) => commands.payOrder(identity, input),
    claimCoupon: (_, { campaignId }, { identity }) => commands.claimCoupon(identity, campaignId),
    createCouponCampaign: (_, { input }, { identity }) =>
      commands.createCampaign(db, identity, {
        ...input,
        amount: input.amount ?? null,
        percent: input.percent ?? null,
        maxDiscount: input.maxDiscount ?? null,
      }),
  },

  Payment: {
    __resolveReference: (ref, context) => queries.visiblePayment(ref.id, context),
    order: (payment) => ({ id: payment.orderId }),
    history: (payment, _, { loaders }) => loaders.history.load(payment.id),
  },

  CouponCampaign: {
    __resolveReference: (ref) => queries.couponCampaign(ref.id),
    remaining: (campaign) => commands.remainingStock(campaign.id),
  },

  Order: {
    __resolveReference: (ref) => ref,
    // The gateway asks for this only after the orders subgraph has shown the caller the order.
    payment: (order, _, { loaders }) => loaders.paymentOfOrder.load(order.id),
  },
};
