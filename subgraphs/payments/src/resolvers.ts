import { DateTimeScalar } from '@baedal/platform';
import * as commands from './commands';
import { db } from './db';
import type { Resolvers } from './generated/graphql';
import { requireWholePayment } from './domain/access';
import * as queries from './queries';
import type { ShownPayment } from './queries';

/** An order as the orders subgraph refers to it: payments adds its payment. */
export interface OrderRef {
  id: string;
}

function whole(payment: ShownPayment): ShownPayment {
  requireWholePayment(payment.view);
  return payment;
}

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,

  Query: {
    payment: (_, { id }, context) => queries.visiblePayment(id, context),
    couponCampaign: (_, { id }) => queries.couponCampaign(id),
    myCoupons: (_, __, { identity }) => queries.myCoupons(identity),
  },

  Mutation: {
    // The payer's own payment: all of it.
    payOrder: async (_, input, { identity }) => ({ ...(await commands.payOrder(identity, input)), view: 'ALL' }),
    claimCoupon: (_, { campaignId }, { identity }) => commands.claimCoupon(db, identity, campaignId),
    topUpAdWallet: (_, input, { identity }) => commands.topUpAdWallet(identity, input),
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
    // Beyond status and amount, a payment is its customer's (and admins').
    discount: (payment) => whole(payment).discount,
    method: (payment) => whole(payment).method,
    provider: (payment) => whole(payment).provider,
    declineReason: (payment) => whole(payment).declineReason,
    history: (payment, _, { loaders }) => loaders.history.load(whole(payment).id),
  },

  CouponCampaign: {
    __resolveReference: (ref) => queries.couponCampaign(ref.id),
    remaining: (campaign) => commands.remainingStock(campaign.id),
  },

  Order: {
    __resolveReference: (ref) => ref,
    payment: (order, _, context) => queries.orderPayment(order.id, context),
  },
};
