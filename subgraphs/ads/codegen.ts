import type { CodegenConfig } from '@graphql-codegen/cli';
import { subgraphCodegen } from '../../codegen.base';

const config: CodegenConfig = subgraphCodegen({
  AdCampaign: '@baedal/prisma/ads#AdCampaign',
  Shop: './resolvers#ShopRef',
});
export default config;
