import path from 'node:path';
import { startSubgraph, stopOnSignals, createLogger } from '@baedal/platform';
import { checkDatabase, createLoaders, db } from './db';
import { resolvers } from './resolvers';

export const schemaPath = path.resolve(__dirname, '..', 'schema.graphql');

export function startAds(port?: number) {
  return startSubgraph({
    name: 'ads',
    schemaPath,
    resolvers,
    createLoaders,
    checkReady: checkDatabase,
    close: () => db.$disconnect(),
    port,
  });
}

if (require.main === module) {
  startAds().then(
    (running) => stopOnSignals(createLogger('subgraph-ads'), running.stop),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
