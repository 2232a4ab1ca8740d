import path from 'node:path';
import { runUntilStopped, startSubgraph } from '@baedal/platform';
import { checkDatabase, createLoaders, db } from './db';
import { resolvers } from './resolvers';

export const schemaPath = path.resolve(__dirname, '..', 'schema.graphql');

export function startShops(port?: number) {
  return startSubgraph({
    name: 'shops',
    schemaPath,
    resolvers,
    createLoaders,
    checkReady: checkDatabase,
    close: () => db.$disconnect(),
    port,
  });
}

if (require.main === module) runUntilStopped('subgraph-shops', () => startShops());
