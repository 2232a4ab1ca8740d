import type { CodegenConfig } from '@graphql-codegen/cli';
import { subgraphCodegen } from '../../codegen.base';

const config: CodegenConfig = subgraphCodegen({
  AdCampaign: '@baedal/prisma/ads#AdCampaign',
  Shop: './resolvers#ShopRef',
  AdWallet: './queries#WalletView',
  AdWalletPosting: './queries#PostingRow',
  AdPriceTable: './domain/pricing#PriceTable',
});
export default config;
