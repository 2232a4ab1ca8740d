import type { CodegenConfig } from '@graphql-codegen/cli';
import { subgraphCodegen } from '../../codegen.base';

const config: CodegenConfig = subgraphCodegen({
  Shop: './queryModel#ShopDoc',
  User: './resolvers#AccountParent',
  MenuGroup: './resolvers#MenuGroupParent',
  MenuItem: './resolvers#MenuItemParent',
  AdCampaign: './resolvers#PlacementParent',
});
export default config;
