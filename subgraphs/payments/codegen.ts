import type { CodegenConfig } from '@graphql-codegen/cli';
import { subgraphCodegen } from '../../codegen.base';

const config: CodegenConfig = subgraphCodegen({
  Payment: './queries#ShownPayment',
  PaymentRecord: '@baedal/prisma/payments#PaymentRecord',
  CouponCampaign: '@baedal/prisma/payments#CouponCampaign',
  CouponClaim: './commands/coupons#Claim',
  Order: './resolvers#OrderRef',
  AdTopUp: '@baedal/prisma/payments#AdTopUp',
});
export default config;
