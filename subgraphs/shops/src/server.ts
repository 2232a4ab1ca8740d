import path from 'node:path';
import { processCount, runUntilStopped, startSubgraph } from '@baedal/platform';
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

// Customer reads land here: SHOPS_PROCESSES copies share the port, one per core unless set.
if (require.main === module) runUntilStopped('subgraph-shops', () => startShops(), processCount('SHOPS_PROCESSES'));
