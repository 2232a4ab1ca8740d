import { Gauge, Histogram } from 'prom-client';
import { Queue, type ConnectionOptions } from 'bullmq';
import { registry } from '@baedal/platform';

/*
 * What the event mechanism shows at the workers' /metrics: each queue's jobs
 * by state (a failed job is a dead letter: it used up its retries), each
 * outbox's backlog and the age of its oldest unrelayed event, and how long
 * events take from their commit to their consumer. Queue and outbox figures
 * are read when scraped; every copy of the workers reads the same ones, so
 * copies report the largest, not the sum.
 */

export const consumerLag = new Histogram({
  name: 'baedal_consumer_lag_seconds',
  help: "From an event's commit (its outbox row) to its application by a consumer",
  labelNames: ['consumer'] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
  registers: [registry],
});

const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

/** Shows the jobs of `queues` by state, read from Redis at each scrape. */
export function observeQueues(
  names: string[],
  connection: ConnectionOptions,
  prefix: string,
): { close(): Promise<void> } {
  const queues = names.map((name) => new Queue(name, { connection, prefix }));
  new Gauge({
    name: 'baedal_queue_jobs',
    help: 'Jobs in each queue by state: waiting, active, delayed (retries wait here), failed (dead letters)',
    labelNames: ['queue', 'state'] as const,
    aggregator: 'max',
    registers: [registry],
    async collect() {
      const counts = await Promise.all(queues.map((q) => q.getJobCounts(...STATES)));
      this.reset();
      queues.forEach((queue, i) => {
        for (const state of STATES) this.set({ queue: queue.name, state }, counts[i][state] ?? 0);
      });
    },
  });
  return { close: () => Promise.all(queues.map((q) => q.close())).then(() => undefined) };
}

/** An outbox as the metrics read it: its unrelayed events and the oldest one's age. */
export interface OutboxBacklog {
  source: string;
  backlog(): Promise<{ events: number; oldestAgeSeconds: number }>;
}

/** Shows each outbox's backlog, read from its database at each scrape. */
export function observeOutboxes(outboxes: OutboxBacklog[]): void {
  type Backlog = Awaited<ReturnType<OutboxBacklog['backlog']>>;
  const read = () => Promise.all(outboxes.map((o) => o.backlog().catch(() => null)));
  let reading: ReturnType<typeof read> | null = null;
  // Both gauges come from one read per scrape.
  const once = () => (reading ??= read().finally(() => setTimeout(() => (reading = null), 100)));
  const gauge = (name: string, help: string, value: (backlog: Backlog) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['database'] as const,
      aggregator: 'max',
      registers: [registry],
      async collect() {
        const backlogs = await once();
        this.reset();
        outboxes.forEach((o, i) => backlogs[i] && this.set({ database: o.source }, value(backlogs[i])));
      },
    });
  gauge(
    'baedal_outbox_backlog_events',
    "Events in each service database's outbox not yet relayed to the queues",
    (b) => b.events,
  );
  gauge(
    'baedal_outbox_oldest_unrelayed_age_seconds',
    'Age of the oldest event in each outbox not yet relayed (0 when none waits)',
    (b) => b.oldestAgeSeconds,
  );
}
