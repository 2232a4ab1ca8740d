// First, so tracing (when OTEL_EXPORTER_OTLP_ENDPOINT is set) sees every module it instruments load.
import '@baedal/platform/tracing';
import path from 'node:path';
import { runUntilStopped, startSubgraph } from '@baedal/platform';
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

if (require.main === module) runUntilStopped('subgraph-ads', () => startAds());
