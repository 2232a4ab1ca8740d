import type { Queue } from 'bullmq';
import type pg from 'pg';

/*
 * What the event mechanism keeps, and for how long (eventsConfig):
 *
 * - a relayed outbox row, BAEDAL_OUTBOX_RETENTION_MS (7 days): it is never
 *   relayed again, so it is kept only to look at;
 * - a dead letter, BAEDAL_DEAD_LETTER_RETENTION_MS (7 days), unless replayed
 *   first;
 * - a consumer's record of an applied event, BAEDAL_PROCESSED_EVENT_RETENTION_MS
 *   (14 days): the redelivery horizon. An applied event can come again only
 *   while it is in a queue (a stalled job, a relay that crashed between
 *   queueing and marking its rows: seconds to minutes) or when a dead letter
 *   that carried it is replayed (at most the dead-letter retention later). The
 *   horizon must be longer than both, so a late redelivery still finds its
 *   record and is not applied twice; the settings refuse one that is not
 *   longer than the dead-letter retention by a day.
 *
 * Rows go in small batches, each its own statement (a short lock, no long
 * transaction); the workers sweep every BAEDAL_RETENTION_SWEEP_MS, once per cluster.
 */

/** Rows deleted per statement. */
export const PRUNE_BATCH = 1000;

async function pruneInBatches(pool: pg.Pool, statement: string, before: Date, batch: number): Promise<number> {
  let pruned = 0;
  for (;;) {
    const { rowCount } = await pool.query(statement, [before.toISOString(), batch]);
    pruned += rowCount ?? 0;
    if ((rowCount ?? 0) < batch) return pruned;
  }
}

/** Deletes outbox rows relayed before `before` (never an unrelayed one, however old); answers how many. */
export function pruneRelayedOutbox(pool: pg.Pool, before: Date, batch = PRUNE_BATCH): Promise<number> {
  return pruneInBatches(
    pool,
    `DELETE FROM "OutboxEvent" WHERE "seq" IN (
       SELECT "seq" FROM "OutboxEvent" WHERE "relayedAt" < $1::timestamptz AT TIME ZONE 'UTC' ORDER BY "relayedAt", "seq" LIMIT $2)`,
    before,
    batch,
  );
}

/** Deletes every consumer's records of events applied before `before`; answers how many. */
export function pruneProcessedEvents(pool: pg.Pool, before: Date, batch = PRUNE_BATCH): Promise<number> {
  return pruneInBatches(
    pool,
    `DELETE FROM "ProcessedEvent" WHERE ("consumer", "eventId") IN (
       SELECT "consumer", "eventId" FROM "ProcessedEvent" WHERE "processedAt" < $1::timestamptz AT TIME ZONE 'UTC' LIMIT $2)`,
    before,
    batch,
  );
}

/** Removes a queue's dead letters (failed jobs) that failed more than `olderThanMs` ago; answers how many. */
export async function expireDeadLetters(queue: Queue, olderThanMs: number, batch = PRUNE_BATCH): Promise<number> {
  let expired = 0;
  for (;;) {
    const removed = await queue.clean(olderThanMs, batch, 'failed');
    expired += removed.length;
    if (removed.length < batch) return expired;
  }
}
