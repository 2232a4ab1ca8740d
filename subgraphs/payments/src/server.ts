// First, so tracing (when OTEL_EXPORTER_OTLP_ENDPOINT is set) sees every module it instruments load.
import '@baedal/platform/tracing';
import path from 'node:path';
import { createLogger, runUntilStopped, startSubgraph } from '@baedal/platform';
import { closeCoupons, reconcilePayments } from './commands';
import { paymentsConfig } from './config';
import { checkDatabase, createLoaders, db } from './db';
import { resolvers } from './resolvers';

export const schemaPath = path.resolve(__dirname, '..', 'schema.graphql');

export async function startPayments(port?: number) {
  const log = createLogger('payments');
  // Settle what a crash left PENDING (a provider may have approved), then keep checking.
  const reconcile = () =>
    reconcilePayments().catch((error) => log.warn({ err: error }, 'payment reconciliation failed'));
  void reconcile();
  const timer = setInterval(() => void reconcile(), paymentsConfig().PAYMENTS_RECONCILE_MS);
  timer.unref();
  const running = await startSubgraph({
    name: 'payments',
    schemaPath,
    resolvers,
    createLoaders,
    checkReady: checkDatabase,
    close: async () => {
      clearInterval(timer);
      await closeCoupons();
      await db.$disconnect();
    },
    port,
  });
  return running;
}

if (require.main === module) runUntilStopped('subgraph-payments', () => startPayments());
