import type { CodegenConfig } from '@graphql-codegen/cli';
import { subgraphCodegen } from '../../codegen.base';

const config: CodegenConfig = subgraphCodegen({
  Order: '@baedal/prisma/orders#Order',
  OrderLine: '@baedal/prisma/orders#OrderLine',
  OrderStatusChange: '@baedal/prisma/orders#OrderStatusChange',
  OrderEvent: './realtime#OrderFeedEvent',
  Shop: './resolvers#Reference',
  User: './resolvers#Reference',
});
export default config;
