import type { EventEnvelope, EventType } from './envelope';
import type { SqlTransaction } from './outbox';

/** Applies one event of type T inside the consumer's transaction. */
export type Handler<M, Tx, T extends EventType<M> = EventType<M>> = (
  event: EventEnvelope<M, T>,
  tx: Tx,
) => Promise<void>;

/**
 * A set-based handler: applies several events in the order given, with a few
 * statements for all of them. One may serve several types (applyBatch hands it
 * their consecutive events together).
 */
export interface ManyHandler<M, Tx, T extends EventType<M> = EventType<M>> {
  many: (events: EventEnvelope<M, T>[], tx: Tx) => Promise<void>;
}

/** A consumer's effects, by event type; a type it has no handler for is recorded and ignored. */
export type Handlers<M, Tx> = { [T in EventType<M>]?: Handler<M, Tx, T> | ManyHandler<M, Tx, T> };

type AnyHandler<M, Tx> = Handler<M, Tx> | ManyHandler<M, Tx>;

function applyEach<M, Tx>(handler: AnyHandler<M, Tx>, events: EventEnvelope<M>[], tx: Tx): Promise<void> {
  return typeof handler === 'function'
    ? events.reduce((done, e) => done.then(() => handler(e, tx)), Promise.resolve())
    : handler.many(events, tx);
}

/**
 * Runs `work` in one database transaction of the consuming domain (a Prisma or a rawSql `$transaction`).
 * It is told the events the transaction applies, so a domain can pick the kind of transaction they need.
 */
export type RunInTransaction<M, Tx> = <R>(work: (tx: Tx) => Promise<R>, events: EventEnvelope<M>[]) => Promise<R>;

export type ApplyResult = 'applied' | 'duplicate' | 'ignored';

/**
 * Applies an event at most once: the event id is recorded in the consumer's
 * own database in the same transaction as the effect, so a redelivered event
 * finds its id and has no second effect, and a failed effect records nothing.
 */
export async function applyOnce<M, Tx extends SqlTransaction>(
  consumer: string,
  event: EventEnvelope<M>,
  handlers: Handlers<M, Tx>,
  transaction: RunInTransaction<M, Tx>,
): Promise<ApplyResult> {
  return transaction(async (tx) => (await applyIn(tx, consumer, [event], handlers))[0], [event]);
}

/**
 * Applies several events in one transaction of the consumer, each at most once
 * (as applyOnce), in the order given: one insert records all their ids, and
 * one commit covers all their effects. If anything fails, nothing is recorded.
 * A run of consecutive events with the same set-based handler is applied by one call.
 */
export async function applyBatch<M, Tx extends SqlTransaction>(
  consumer: string,
  events: EventEnvelope<M>[],
  handlers: Handlers<M, Tx>,
  transaction: RunInTransaction<M, Tx>,
): Promise<ApplyResult[]> {
  return transaction((tx) => applyIn(tx, consumer, events, handlers), events);
}

/** applyBatch's work inside the consumer's transaction `tx` (applyOnce's too, with one event). */
async function applyIn<M, Tx extends SqlTransaction>(
  tx: Tx,
  consumer: string,
  events: EventEnvelope<M>[],
  handlers: Handlers<M, Tx>,
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
    const handler = handlers[toApply[start].type] as AnyHandler<M, Tx>;
    let end = start + 1;
    while (end < toApply.length && handlers[toApply[end].type] === handler) end++;
    await applyEach(handler, toApply.slice(start, end), tx);
    start = end;
  }
  return results;
}

interface Waiting<M> {
  event: EventEnvelope<M>;
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
export function batcher<M, Tx extends SqlTransaction>(
  consumer: string,
  handlers: Handlers<M, Tx>,
  transaction: RunInTransaction<M, Tx>,
  max: number,
  lingerMs = 0,
): (event: EventEnvelope<M>) => Promise<ApplyResult> {
  const waiting: Waiting<M>[] = [];
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
          const events = batch.map((w) => w.event);
          const results = await applyBatch(consumer, events, handlers, transaction);
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
  return (event) =>
    new Promise<ApplyResult>((resolve, reject) => {
      waiting.push({ event, settle: (outcome) => void outcome.then(resolve, reject) });
      if (!applying) void applyWaiting();
    });
}
