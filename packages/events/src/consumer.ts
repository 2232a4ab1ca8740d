import { Worker, type ConnectionOptions, type Job } from 'bullmq';
import { inLogScope, inSpan, SpanKind, type Logger } from '@baedal/platform';
import { applyOnce, batcher, type Handlers, type RunInTransaction } from './apply';
import { outageSettings, type Retries } from './config';
import type { EventEnvelope } from './envelope';
import type { SqlTransaction } from './outbox';
import { consumerLag } from './metrics';
import { outageOf, type OutageSettings } from './outage';
import { eventJobs, openQueue, type EventsJob } from './queues';

/** What a domain declares about one of its consumers (its queue, its effects, its transactions). */
export interface ConsumerSpec<M, Tx extends SqlTransaction> {
  /** The consumer's name, which is its queue's and its ProcessedEvent rows'. */
  consumer: string;
  handlers: Handlers<M, Tx>;
  transaction: RunInTransaction<M, Tx>;
  /**
   * Most events applied in one transaction.
   * @defaultValue 16, or 1 with `oneEventPerJob`
   */
  batch?: number;
  /**
   * Events travel one to a job and are applied one to a transaction, side by
   * side (a handler that waits on purpose must not hold up the others).
   * The relay reads this too.
   * @defaultValue false
   */
  oneEventPerJob?: boolean;
  /**
   * Jobs in hand at once; 1 applies them in the order they were queued.
   * @defaultValue max(8, 2 x batch): one batch applied while the next gathers
   */
  concurrency?: number;
}

export interface ConsumerOptions<M, Tx extends SqlTransaction> extends ConsumerSpec<M, Tx> {
  connection: ConnectionOptions;
  prefix: string;
  log: Logger;
  /**
   * How long a quiet consumer waits for more events before applying the first, in milliseconds (see batcher).
   * @defaultValue 0
   */
  lingerMs?: number;
  /** Retries of the jobs it queues again (the settings' unless given). */
  retries?: Retries;
  /** How it waits out a dependency that does not answer (the settings' unless given). */
  outage?: OutageSettings;
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
 * Unless its database or Redis does not answer: then the job waits, its
 * attempts untouched, until they do (outage.ts).
 */
export function startConsumer<M, Tx extends SqlTransaction>(options: ConsumerOptions<M, Tx>): Worker<EventsJob<M>> {
  const { consumer, handlers, transaction, log } = options;
  const batch = options.batch ?? (options.oneEventPerJob ? 1 : 16);
  const applyNow =
    batch > 1
      ? batcher(consumer, handlers, transaction, batch, options.lingerMs)
      : (event: EventEnvelope<M>) => applyOnce(consumer, event, handlers, transaction);
  // A traced event is applied in a span of its trace, so what its handler writes (events too) continues it;
  // its log lines carry its id and its chain's correlation id.
  const apply = (event: EventEnvelope<M>) =>
    inLogScope({ eventId: event.id, correlationId: event.correlationId ?? event.id }, () => traced(event));
  const traced = (event: EventEnvelope<M>) =>
    event.trace
      ? inSpan(
          `consume ${event.type}`,
          {
            parent: event.trace,
            kind: SpanKind.CONSUMER,
            attributes: { 'baedal.consumer': consumer, 'baedal.event.id': event.id },
          },
          () => applyNow(event),
        )
      : applyNow(event);
  const queue = openQueue<M>(consumer, options.connection, options.prefix, options.retries);
  const outage = outageOf(
    [
      () => transaction((tx) => tx.$queryRawUnsafe('SELECT 1'), []),
      async () => ((await queue.client) as unknown as { ping(): Promise<string> }).ping(),
    ],
    options.outage ?? outageSettings(),
  );
  const applyJob = async (job: Job<EventsJob<M>>) => {
    const { events } = job.data;
    // Unbatched, a job's events are applied in turn, so a job holds one transaction at a time.
    const outcomes =
      batch > 1 ? await Promise.allSettled(events.map((event) => apply(event))) : await inTurn(events, apply);
    const failed = outcomes.flatMap((outcome, i) =>
      outcome.status === 'rejected' ? [{ event: events[i], error: outcome.reason as unknown }] : [],
    );
    const lag = consumerLag.labels({ consumer });
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') lag.observe((Date.now() - Date.parse(events[i].occurredAt)) / 1000);
    });
    if (failed.length === 0) return outage.recovered();
    if (!(await outage.dependenciesAnswer())) {
      // Not the events' fault: the whole job waits (its applied events are duplicates then, with no second effect).
      const waitMs = outage.nextWaitMs();
      log.warn({ consumer, waitMs, err: failed[0].error }, 'a dependency does not answer; waiting, attempts untouched');
      await worker.rateLimit(waitMs);
      throw Worker.RateLimitError();
    }
    if (events.length === 1) throw failed[0].error;
    // If this add fails, the whole job is retried: its applied events are then duplicates, with no second effect.
    await queue.addBulk(
      eventJobs(
        failed.map((f) => f.event),
        1,
      ),
    );
    for (const { event, error } of failed) {
      log.warn({ consumer, eventId: event.id, type: event.type, err: error }, 'event failed; queued again alone');
    }
  };
  const worker = new Worker<EventsJob<M>>(consumer, applyJob, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency ?? Math.max(8, 2 * batch),
  });
  worker.on('failed', (job, error) => {
    log.warn({ consumer, jobId: job?.id, type: job?.name, attempts: job?.attemptsMade, err: error }, 'event failed');
  });
  worker.on('error', (error) => log.warn({ consumer, err: error }, 'consumer error'));
  worker.on('closed', () => void queue.close());
  return worker;
}
