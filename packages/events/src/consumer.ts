import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from '@baedal/platform';
import { ONE_EVENT_PER_JOB, type Consumer, type EventEnvelope, type EventType } from './catalog';
import type { SqlTransaction } from './outbox';
import { eventJobs, openQueue, type EventsJob } from './queues';

export type Handler<Tx, T extends EventType = EventType> = (event: EventEnvelope<T>, tx: Tx) => Promise<void>;
/**
 * A set-based handler: applies several events in the order given, with a few
 * statements for all of them. One may serve several types (applyBatch hands it
 * their consecutive events together).
 */
export interface ManyHandler<Tx, T extends EventType = EventType> {
  many: (events: EventEnvelope<T>[], tx: Tx) => Promise<void>;
}
export type Handlers<Tx> = { [T in EventType]?: Handler<Tx, T> | ManyHandler<Tx, T> };

type AnyHandler<Tx> = Handler<Tx> | ManyHandler<Tx>;

function applyEach<Tx>(handler: AnyHandler<Tx>, events: EventEnvelope[], tx: Tx): Promise<void> {
  return typeof handler === 'function'
    ? events.reduce((done, e) => done.then(() => handler(e, tx)), Promise.resolve())
    : handler.many(events, tx);
}

/**
 * Runs `work` in one database transaction of the consuming domain (a Prisma or a rawSql `$transaction`).
 * It is told the events the transaction applies, so a domain can pick the kind of transaction they need.
 */
export type RunInTransaction<Tx> = <R>(work: (tx: Tx) => Promise<R>, events: EventEnvelope[]) => Promise<R>;

export type ApplyResult = 'applied' | 'duplicate' | 'ignored';

/**
 * Applies an event at most once: the event id is recorded in the consumer's
 * own database in the same transaction as the effect, so a redelivered event
 * finds its id and has no second effect, and a failed effect records nothing.
 */
export async function applyOnce<Tx extends SqlTransaction>(
  consumer: Consumer,
  event: EventEnvelope,
  handlers: Handlers<Tx>,
  transaction: RunInTransaction<Tx>,
): Promise<ApplyResult> {
  return transaction(async (tx) => (await applyIn(tx, consumer, [event], handlers))[0], [event]);
}

/**
 * Applies several events in one transaction of the consumer, each at most once
 * (as applyOnce), in the order given: one insert records all their ids, and
 * one commit covers all their effects. If anything fails, nothing is recorded.
 * A run of consecutive events with the same set-based handler is applied by one call.
 */
export async function applyBatch<Tx extends SqlTransaction>(
  consumer: Consumer,
  events: EventEnvelope[],
  handlers: Handlers<Tx>,
  transaction: RunInTransaction<Tx>,
): Promise<ApplyResult[]> {
  return transaction((tx) => applyIn(tx, consumer, events, handlers), events);
}

/** applyBatch's work inside the consumer's transaction `tx` (applyOnce's too, with one event). */
async function applyIn<Tx extends SqlTransaction>(
  tx: Tx,
  consumer: Consumer,
  events: EventEnvelope[],
  handlers: Handlers<Tx>,
): Promise<ApplyResult[]> {
  const inserted = await tx.$queryRawUnsafe<{ eventId: string }[]>(
    'INSERT INTO "ProcessedEvent" ("consumer", "eventId") SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING RETURNING "eventId"',
    consumer,
    events.map((e) => e.id),
  );
  // An event in the batch twice (relayed again in another job) is fresh once: its first time.
  const fresh = new Set(inserted.map((row) => row.eventId));
  const results = events.map((event): ApplyResult =>
    !fresh.delete(event.id) ? 'duplicate' : handlers[event.type] ? 'applied' : 'ignored',
  );
  const toApply = events.filter((_, i) => results[i] === 'applied');
  // Consecutive events with one handler go to it together; a set-based one applies them at once (one
  // handler may serve several types, so that all of a batch's rows are locked by one ordered statement).
  for (let start = 0; start < toApply.length;) {
    const handler = handlers[toApply[start].type] as AnyHandler<Tx>;
    let end = start + 1;
    while (end < toApply.length && handlers[toApply[end].type] === handler) end++;
    await applyEach(handler, toApply.slice(start, end), tx);
    start = end;
  }
  return results;
}

interface Waiting {
  event: EventEnvelope;
  settle: (outcome: Promise<ApplyResult>) => void;
}

/**
 * Group commit: events that arrive while a batch is being applied wait and go
 * together in the next one (up to `max`), so a busy consumer pays for one
 * transaction per batch instead of one per event, and a quiet one applies each
 * event at once, or `lingerMs` later to gather the rest of a burst (the relay
 * publishes in bursts). A batch that fails is applied again event by event, so
 * one bad event fails alone and the rest are applied.
 */
export function batcher<Tx extends SqlTransaction>(
  consumer: Consumer,
  handlers: Handlers<Tx>,
  transaction: RunInTransaction<Tx>,
  max: number,
  lingerMs = 0,
) {
  const waiting: Waiting[] = [];
  let applying = false;
  const applyWaiting = async () => {
    applying = true;
    try {
      if (lingerMs > 0) await new Promise((resolve) => setTimeout(resolve, lingerMs));
      while (waiting.length) {
        const batch = waiting.splice(0, max);
        const alone = async () => {
          const outcomes = batch.map((w) => applyOnce(consumer, w.event, handlers, transaction));
          batch.forEach((w, i) => w.settle(outcomes[i]));
          await Promise.allSettled(outcomes);
        };
        if (batch.length === 1) {
          await alone();
          continue;
        }
        try {
          const results = await applyBatch(
            consumer,
            batch.map((w) => w.event),
            handlers,
            transaction,
          );
          batch.forEach((w, i) => w.settle(Promise.resolve(results[i])));
        } catch {
          await alone();
        }
      }
    } finally {
      // Whatever happened, the next event starts a new round instead of waiting for one that ended.
      applying = false;
    }
  };
  return (event: EventEnvelope): Promise<ApplyResult> =>
    new Promise<ApplyResult>((resolve, reject) => {
      waiting.push({ event, settle: (outcome) => outcome.then(resolve, reject) });
      if (!applying) void applyWaiting();
    });
}

export interface ConsumerOptions<Tx extends SqlTransaction> {
  consumer: Consumer;
  handlers: Handlers<Tx>;
  transaction: RunInTransaction<Tx>;
  connection: ConnectionOptions;
  prefix: string;
  log: Logger;
  concurrency?: number;
  /** Most events applied in one transaction: 16, or 1 (each alone) for a consumer in ONE_EVENT_PER_JOB. */
  batch?: number;
  /** How long a quiet consumer waits for more events before applying the first (0: at once); see batcher. */
  lingerMs?: number;
}

/** Promise.allSettled, but each item's work starts when the previous one's has settled. */
async function inTurn<T, R>(items: T[], work: (item: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const outcomes: PromiseSettledResult<R>[] = [];
  for (const item of items) {
    try {
      outcomes.push({ status: 'fulfilled', value: await work(item) });
    } catch (reason) {
      outcomes.push({ status: 'rejected', reason });
    }
  }
  return outcomes;
}

/**
 * A BullMQ worker on the consumer's queue that applies each event once, in
 * batches while events queue up. A job carries several events (eventJobs):
 * when some of them fail, the rest stay applied and each failed one is queued
 * again as a job of its own, so it is retried with backoff (see jobOptions),
 * and ends as a dead letter, alone. A job of one event fails as a whole.
 */
export function startConsumer<Tx extends SqlTransaction>(options: ConsumerOptions<Tx>): Worker<EventsJob> {
  const batch = options.batch ?? (ONE_EVENT_PER_JOB.includes(options.consumer) ? 1 : 16);
  const apply =
    batch > 1
      ? batcher(options.consumer, options.handlers, options.transaction, batch, options.lingerMs)
      : (event: EventEnvelope) => applyOnce(options.consumer, event, options.handlers, options.transaction);
  const queue = openQueue(options.consumer, options.connection, options.prefix);
  const applyJob = async (job: Job<EventsJob>) => {
    const { events } = job.data;
    // Unbatched, a job's events are applied in turn, so a job holds one transaction at a time.
    const outcomes =
      batch > 1 ? await Promise.allSettled(events.map((event) => apply(event))) : await inTurn(events, apply);
    const failed = outcomes.flatMap((outcome, i) =>
      outcome.status === 'rejected' ? [{ event: events[i], error: outcome.reason as unknown }] : [],
    );
    if (failed.length === 0) return;
    if (events.length === 1) throw failed[0].error;
    // If this add fails, the whole job is retried: its applied events are then duplicates, with no second effect.
    await queue.addBulk(
      eventJobs(
        failed.map((f) => f.event),
        1,
      ),
    );
    for (const { event, error } of failed) {
      options.log.warn(
        { consumer: options.consumer, eventId: event.id, type: event.type, err: error },
        'event failed; queued again alone',
      );
    }
  };
  // As many jobs in hand as fit at least two batches: one being applied while the next gathers.
  const worker = new Worker<EventsJob>(options.consumer, applyJob, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency ?? Math.max(8, 2 * batch),
  });
  worker.on('failed', (job, error) => {
    options.log.warn(
      { consumer: options.consumer, jobId: job?.id, type: job?.name, attempts: job?.attemptsMade, err: error },
      'event failed',
    );
  });
  worker.on('error', (error) => options.log.warn({ consumer: options.consumer, err: error }, 'consumer error'));
  worker.on('closed', () => void queue.close());
  return worker;
}
