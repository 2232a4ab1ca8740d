import type { EventPayloads } from '@baedal/contracts';
import { consumersOf, type DomainWorker } from '@baedal/events';
import { db, sql } from './db';
import { accountSessions } from './commands';
import {
  accountDirectory,
  projection,
  projectionTransaction,
  publishAccountSnapshots,
  publishSnapshots,
} from './events';
import { refreshClockKeys } from './projection';

const declareConsumer = consumersOf<EventPayloads>();

/** How often the clock's changes to open-now and running ads are written into the listing. */
export const CLOCK_REFRESH_MS = 30_000;

/**
 * What the workers process runs of shops: the "shops" consumer (the customer
 * query model and popularity), the "accounts" consumer (the directory of
 * sessions), the clock refresh, and the rebuild of the
 * query model. It uses the subgraph's own pool (db.ts): rawSql shares it.
 */
export function shopsWorker(): DomainWorker {
  return {
    consumers: [
      declareConsumer(
        { consumer: 'shops', handlers: projection, transaction: projectionTransaction(db, sql) },
        'documents',
      ),
      // The directory the gateway refreshes sessions from lives in Redis; shops' database keeps which events it applied.
      declareConsumer({
        consumer: 'accounts',
        handlers: accountDirectory(accountSessions()),
        transaction: (work) => db.$transaction(work),
      }),
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
      isEmpty: async () => (await db.shopView.count()) === 0 || (await accountSessions().directorySize()) === 0,
      reset: async () => {
        await db.$transaction([
          db.shopListing.deleteMany(),
          db.shopView.deleteMany(),
          db.processedEvent.deleteMany({ where: { consumer: { in: ['shops', 'accounts'] } } }),
        ]);
        await accountSessions().clearDirectory();
      },
    },
    publishSnapshots: async () => (await publishSnapshots(db)) + (await publishAccountSnapshots(db)),
    close: () => db.$disconnect(),
  };
}
