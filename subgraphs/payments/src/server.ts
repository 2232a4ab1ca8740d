import path from 'node:path';
import { startSubgraph, stopOnSignals, createLogger } from '@baedal/platform';
import { checkDatabase, createLoaders, db } from './db';
import { resolvers } from './resolvers';

export const schemaPath = path.resolve(__dirname, '..', 'schema.graphql');

export function startPayments(port?: number) {
  return startSubgraph({
    name: 'payments',
    schemaPath,
    resolvers,
    createLoaders,
    checkReady: checkDatabase,
    close: () => db.$disconnect(),
    port,
  });
}

if (require.main === module) {
  startPayments().then(
    (running) => stopOnSignals(createLogger('subgraph-payments'), running.stop),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
