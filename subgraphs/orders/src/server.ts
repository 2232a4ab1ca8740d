import path from 'node:path';
import { startSubgraph, stopOnSignals, createLogger } from '@baedal/platform';
import { checkDatabase, createLoaders, db } from './db';
import { resolvers } from './resolvers';

export const schemaPath = path.resolve(__dirname, '..', 'schema.graphql');

export function startOrders(port?: number) {
  return startSubgraph({
    name: 'orders',
    schemaPath,
    resolvers,
    createLoaders,
    checkReady: checkDatabase,
    close: () => db.$disconnect(),
    port,
  });
}

if (require.main === module) {
  startOrders().then(
    (running) => stopOnSignals(createLogger('subgraph-orders'), running.stop),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
