// First, so tracing (when OTEL_EXPORTER_OTLP_ENDPOINT is set) sees every module it instruments load.
import '@baedal/platform/tracing';
import path from 'node:path';
import { runUntilStopped, startSubgraph } from '@baedal/platform';
import { shopsConfig } from './config';
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
if (require.main === module) runUntilStopped('subgraph-shops', () => startShops(), shopsConfig().SHOPS_PROCESSES);
