import { DateTimeScalar, forbidden, requireRole, requireSignedIn, type SubgraphContext } from '@baedal/platform';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { CouponCampaign, Payment } from '@baedal/prisma/payments';
import { payOrder, type PayOrderInput } from './commands';
import { claimCoupon, createCampaign, remainingStock } from './coupons';
import { db, type Loaders } from './db';
import type { NewCampaign } from './domain/coupon';

type Context = SubgraphContext<Loaders>;

function visiblePayment(payment: Payment | null, { identity }: Context): Payment | null {
  requireSignedIn(identity);
  if (payment && identity.role !== 'ADMIN' && payment.customerId !== identity.userId)
    throw forbidden('This payment is not yours to see');
  return payment;
}

export const resolvers: GraphQLResolverMap<Context> = {
  DateTime: DateTimeScalar,

  Query: {
    payment: async (_: unknown, { id }: { id: string }, context: Context) =>
      visiblePayment(await context.loaders.payment.load(id), context),
    couponCampaign: (_: unknown, { id }: { id: string }) => db.couponCampaign.findUnique({ where: { id } }),
    myCoupons: (_: unknown, __: unknown, { identity }: Context) =>
      db.couponClaim.findMany({
        where: { customerId: requireRole(identity, 'CUSTOMER') },
        orderBy: { claimedAt: 'desc' },
      }),
  },

  Mutation: {
    payOrder: (_: unknown, input: PayOrderInput, { identity }: Context) => payOrder(identity, input),
    claimCoupon: (_: unknown, { campaignId }: { campaignId: string }, { identity }: Context) =>
      claimCoupon(identity, campaignId),
    createCouponCampaign: (_: unknown, { input }: { input: NewCampaign }, { identity }: Context) =>
      createCampaign(db, identity, {
        ...input,
        amount: input.amount ?? null,
        percent: input.percent ?? null,
        maxDiscount: input.maxDiscount ?? null,
      }),
  },

  Payment: {
    __resolveReference: async (ref: { id: string }, context: Context) =>
      visiblePayment(await context.loaders.payment.load(ref.id), context),
    order: (payment: Payment) => ({ id: payment.orderId }),
    history: (payment: Payment, _: unknown, { loaders }: Context) => loaders.history.load(payment.id),
  },

  CouponCampaign: {
    __resolveReference: (ref: { id: string }) => db.couponCampaign.findUnique({ where: { id: ref.id } }),
    remaining: (campaign: CouponCampaign) => remainingStock(campaign.id),
  },

  Order: {
    __resolveReference: (ref: { id: string }) => ref,
    // The gateway asks for this only after the orders subgraph has shown the caller the order.
    payment: (order: { id: string }, _: unknown, { loaders }: Context) => loaders.paymentOfOrder.load(order.id),
  },
};
