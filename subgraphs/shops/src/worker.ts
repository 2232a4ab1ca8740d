import type { EventPayloads } from '@baedal/contracts';
import { consumersOf, type DomainWorker } from '@baedal/events';
import { db, sql } from './db';
import { projection, projectionTransaction, publishSnapshots } from './events';
import { refreshClockKeys } from './projection';

const declareConsumer = consumersOf<EventPayloads>();

/** How often the clock's changes to open-now and running ads are written into the listing. */
export const CLOCK_REFRESH_MS = 30_000;

/**
 * What the workers process runs of shops: the "shops" consumer (the customer
 * query model and popularity), the clock refresh, and the rebuild of the
 * query model. It uses the subgraph's own pool (db.ts): rawSql shares it.
 */
export function shopsWorker(): DomainWorker {
  return {
    consumers: [
      declareConsumer(
        { consumer: 'shops', handlers: projection, transaction: projectionTransaction(db, sql) },
        'documents',
      ),
    ],
    periodic: [
      {
        name: 'clock-refresh',
        everyMs: CLOCK_REFRESH_MS,
        run: async (log) => {
          const changed = await refreshClockKeys(sql, db);
          if (changed === 0) return null;
          log.info({ changed }, 'refreshed open-now and ad keys');
          return 'listings';
        },
      },
    ],
    projection: {
      isEmpty: async () => (await db.shopView.count()) === 0,
      reset: async () => {
        await db.$transaction([
          db.shopListing.deleteMany(),
          db.shopView.deleteMany(),
          db.processedEvent.deleteMany({ where: { consumer: 'shops' } }),
        ]);
      },
    },
    publishSnapshots: () => publishSnapshots(db),
    close: () => db.$disconnect(),
  };
}
