import type { Queue } from 'bullmq';
import pg from 'pg';
import { markStep, SpanKind } from '@baedal/platform';
import type { EventEnvelope } from './envelope';
import { OUTBOX_CHANNEL } from './outbox';
import { EVENTS_PER_JOB, eventJobs, openQueue, type EventsJob } from './queues';
import type { RelayOptions } from './relayOptions';
import { pruneProcessedEvents, pruneRelayedOutbox } from './retention';

/** The advisory lock key of "the relay of this database" (any constant; each database has its own locks). */
const RELAY_LOCK = 0x0b0ed41;

interface OutboxRow {
  seq: string;
  id: string;
  type: string;
  version: number;
  aggregateId: string;
  payload: unknown;
  occurredAt: Date;
  trace: string | null;
  correlationId: string | null;
}

/**
 * Moves committed outbox rows to BullMQ, one queue per consuming domain, a
 * round's events for a consumer in as few jobs as fit them (eventJobs): one
 * statement locks and marks a batch relayed, the batch is published, and the
 * transaction commits. A crash before the
 * commit relays them again (consumers are idempotent by event id). A Redis
 * that comes back empty is noticed by a missing sentinel key, and recent
 * events are relayed again.
 *
 * Every workers process starts a relay per database, but one relays at a
 * time: the first to take the database's advisory lock (held by its LISTEN
 * connection) leads, and the others stand by, trying the lock every poll, so
 * one takes over within a poll of the leader's connection ending. Without
 * this, every copy woke on every notification and all but one found nothing
 * under SKIP LOCKED (which still keeps them correct if two ever relay, e.g.
 * while the listener cannot connect and each polls on its own).
 */
export class OutboxRelay<M> {
  private readonly pool: pg.Pool;
  private listener: pg.Client | null = null;
  private readonly queues = new Map<string, Queue<EventsJob<M>>>();
  private running = false;
  private wake: (() => void) | null = null;
  /** A notification that arrived while a batch was running: relay again without sleeping. */
  private notified = false;
  private loop: Promise<void> | null = null;
  private sentinelCheckedAt = 0;
  /** Whether this relay holds the database's relay lock; true while it cannot tell (no listener). */
  private leading = true;

  constructor(private readonly options: RelayOptions<M>) {
    this.pool = new pg.Pool({ connectionString: options.databaseUrl, max: 2 });
    this.pool.on('error', (error) => options.log.warn({ err: error }, 'outbox pool error'));
    // A session terminated while a batch holds it: the batch fails and is tried again, the process goes on.
    this.pool.on('connect', (client) => client.on('error', () => {}));
  }

  /** The events not yet relayed, and the oldest one's age (metrics.ts). */
  async backlog(): Promise<{ events: number; oldestAgeSeconds: number }> {
    const { rows } = await this.pool.query<{ events: string; age: number | null }>(
      `SELECT count(*) AS "events", extract(epoch FROM now() - min("occurredAt" AT TIME ZONE 'UTC'))::float8 AS "age"
         FROM "OutboxEvent" WHERE "relayedAt" IS NULL`,
    );
    return { events: Number(rows[0].events), oldestAgeSeconds: Math.max(0, rows[0].age ?? 0) };
  }

  /**
   * Deletes what its database keeps past the retention (retention.ts):
   * outbox rows relayed before `relayedBefore`, and consumers' records of
   * events applied before `processedBefore`.
   */
  async prune(relayedBefore: Date, processedBefore: Date): Promise<{ outbox: number; processed: number }> {
    const outbox = await pruneRelayedOutbox(this.pool, relayedBefore);
    return { outbox, processed: await pruneProcessedEvents(this.pool, processedBefore) };
  }

  get source(): string {
    return this.options.source;
  }

  private get sentinelKey(): string {
    return `${this.options.prefix}:outbox-sentinel:${this.options.source}`;
  }

  private queue(consumer: string): Queue<EventsJob<M>> {
    let queue = this.queues.get(consumer);
    if (!queue) {
      queue = openQueue<M>(consumer, this.options.redis, this.options.prefix, this.options.retries);
      this.queues.set(consumer, queue);
    }
    return queue;
  }

  /**
   * If Redis lost its data since we last looked, mark recently relayed events
   * for relaying again. The sentinel is set only once the unmarking has
   * committed, so a crash between the two unmarks again next time rather
   * than never.
   */
  async checkRedisKeptEvents(): Promise<number> {
    this.sentinelCheckedAt = Date.now();
    if (await this.options.redis.exists(this.sentinelKey)) return 0;
    const windowMs = this.options.redeliverWindowMs ?? 24 * 3600 * 1000;
    const { rowCount } = await this.pool.query(
      `UPDATE "OutboxEvent" SET "relayedAt" = NULL WHERE "relayedAt" IS NOT NULL AND "relayedAt" > (now() AT TIME ZONE 'UTC') - ($1 || ' milliseconds')::interval`,
      [String(windowMs)],
    );
    await this.options.redis.set(this.sentinelKey, new Date().toISOString());
    if (rowCount)
      this.options.log.warn(
        { source: this.options.source, events: rowCount },
        'Redis came back without our sentinel; relaying recent events again',
      );
    return rowCount ?? 0;
  }

  private eventsPerJob(consumer: string): number {
    return this.options.oneEventPerJob?.includes(consumer) ? 1 : (this.options.eventsPerJob ?? EVENTS_PER_JOB);
  }

  /** Relays one batch; returns how many events it moved. */
  async relayOnce(): Promise<number> {
    if (Date.now() - this.sentinelCheckedAt > 1000) await this.checkRedisKeptEvents();
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // Marked first, in this transaction, then published: if publishing fails or the process dies before
      // COMMIT, the marks roll back and the rows are relayed again (consumers are idempotent by event id).
      // RETURNING keeps no order, so the marked rows are read back in the outbox's: consumers of one aggregate rely on it.
      const { rows } = await client.query<OutboxRow>(
        `WITH marked AS (
           UPDATE "OutboxEvent" SET "relayedAt" = now() AT TIME ZONE 'UTC'
            WHERE "seq" IN (SELECT "seq" FROM "OutboxEvent" WHERE "relayedAt" IS NULL ORDER BY "seq" LIMIT $1 FOR UPDATE SKIP LOCKED)
            RETURNING "seq", "id", "type", "version", "aggregateId", "payload", ("occurredAt" AT TIME ZONE 'UTC') AS "occurredAt", "trace", "correlationId")
         SELECT * FROM marked ORDER BY "seq"`,
        [this.options.batchSize ?? 500],
      );
      if (rows.length === 0) {
        await client.query('COMMIT');
        return 0;
      }
      const byConsumer = new Map<string, EventEnvelope<M>[]>();
      for (const row of rows) {
        const envelope = {
          id: row.id,
          type: row.type,
          version: row.version,
          occurredAt: row.occurredAt.toISOString(),
          aggregateId: row.aggregateId,
          payload: row.payload,
          // Relaying is a step of the event's trace; its consumers continue from it.
          trace: markStep(`relay ${row.type}`, row.trace ?? undefined, SpanKind.PRODUCER, {
            'baedal.event.id': row.id,
            'baedal.source': this.options.source,
          }),
          ...(row.correlationId ? { correlationId: row.correlationId } : {}),
        } as EventEnvelope<M>;
        // An event no route names is relayed to nobody (a type this version does not know).
        for (const consumer of this.options.routes[envelope.type] ?? []) {
          const queued = byConsumer.get(consumer);
          if (queued) queued.push(envelope);
          else byConsumer.set(consumer, [envelope]);
        }
      }
      await Promise.all(
        [...byConsumer].map(([consumer, envelopes]) =>
          this.queue(consumer).addBulk(eventJobs(envelopes, this.eventsPerJob(consumer))),
        ),
      );
      await client.query('COMMIT');
      return rows.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async start(): Promise<void> {
    this.running = true;
    try {
      this.listener = new pg.Client({ connectionString: this.options.databaseUrl });
      this.listener.on('notification', () => {
        if (!this.leading) return;
        this.notified = true;
        this.wake?.();
      });
      this.listener.on('error', (error) => {
        this.options.log.warn({ err: error }, 'outbox listener lost; polling only');
        this.listener = null;
        this.leading = true;
      });
      await this.listener.connect();
      await this.listener.query(`LISTEN ${OUTBOX_CHANNEL}`);
      await this.tryToLead();
    } catch (error) {
      this.options.log.warn(
        { err: error, source: this.options.source },
        'cannot LISTEN for outbox notifications; polling only',
      );
      this.listener = null;
      this.leading = true;
    }
    this.loop = this.run();
  }

  /** Takes the database's relay lock if no other relay holds it; the lock lives as long as the listener's session. */
  private async tryToLead(): Promise<void> {
    if (!this.listener) return;
    const { rows } = await this.listener.query<{ led: boolean }>('SELECT pg_try_advisory_lock($1) AS "led"', [
      RELAY_LOCK,
    ]);
    if (rows[0].led && !this.leading) this.options.log.info({ source: this.options.source }, 'outbox relay took over');
    this.leading = rows[0].led;
  }

  /** Whether this relay relays now, or stands by for another that holds the lock. */
  get isLeading(): boolean {
    return this.leading;
  }

  private async run(): Promise<void> {
    const batchSize = this.options.batchSize ?? 500;
    const minIntervalMs = this.options.minIntervalMs ?? 0;
    let failures = 0;
    let roundAt = 0;
    while (this.running) {
      const since = Date.now() - roundAt;
      if (since < minIntervalMs) await new Promise((resolve) => setTimeout(resolve, minIntervalMs - since));
      roundAt = Date.now();
      let moved = 0;
      try {
        this.notified = false;
        if (!this.leading) await this.tryToLead();
        if (this.leading) moved = await this.relayOnce();
        failures = 0;
      } catch (error) {
        failures++;
        this.options.log.warn({ err: error, source: this.options.source }, 'relay failed; retrying');
      }
      if (!this.running) break;
      if (moved === batchSize || (this.notified && !failures)) continue;
      const delay = failures ? Math.min(5000, 200 * 2 ** failures) : (this.options.pollMs ?? 1000);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.listener?.end().catch(() => {});
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    await this.pool.end();
  }
}
