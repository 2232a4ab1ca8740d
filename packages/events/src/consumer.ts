import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { Logger } from '@baedal/platform';
import type { Consumer, EventEnvelope, EventType } from './catalog';
import type { SqlTransaction } from './outbox';

export type Handler<Tx, T extends EventType = EventType> = (event: EventEnvelope<T>, tx: Tx) => Promise<void>;
export type Handlers<Tx> = { [T in EventType]?: Handler<Tx, T> };

/** Runs `work` in one database transaction of the consuming domain (its Prisma `$transaction`). */
export type RunInTransaction<Tx> = <R>(work: (tx: Tx) => Promise<R>) => Promise<R>;

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
  return transaction(async (tx) => {
    const inserted = await tx.$executeRawUnsafe(
      'INSERT INTO "ProcessedEvent" ("consumer", "eventId") VALUES ($1, $2) ON CONFLICT DO NOTHING',
      consumer,
      event.id,
    );
    if (inserted === 0) return 'duplicate';
    const handler = handlers[event.type] as Handler<Tx> | undefined;
    if (!handler) return 'ignored';
    await handler(event, tx);
    return 'applied';
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
}

/** A BullMQ worker on the consumer's queue that applies each event once; failures retry with backoff (see jobOptions). */
export function startConsumer<Tx extends SqlTransaction>(options: ConsumerOptions<Tx>): Worker {
  const worker = new Worker(
    options.consumer,
    async (job: Job<EventEnvelope>) => applyOnce(options.consumer, job.data, options.handlers, options.transaction),
    { connection: options.connection, prefix: options.prefix, concurrency: options.concurrency ?? 8 },
  );
  worker.on('failed', (job, error) => {
    options.log.warn({ consumer: options.consumer, jobId: job?.id, type: job?.name, attempts: job?.attemptsMade, err: error }, 'event failed');
  });
  worker.on('error', (error) => options.log.warn({ consumer: options.consumer, err: error }, 'consumer error'));
  return worker;
}
