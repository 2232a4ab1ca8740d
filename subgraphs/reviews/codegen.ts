import type { CodegenConfig } from '@graphql-codegen/cli';
import { subgraphCodegen } from '../../codegen.base';

const config: CodegenConfig = subgraphCodegen({
  Review: '@baedal/prisma/reviews#Review',
  Shop: './resolvers#ShopRef',
  User: './resolvers#UserRef',
});
export default config;
