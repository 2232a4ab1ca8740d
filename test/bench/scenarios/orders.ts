import { SERVICES } from '@baedal/platform';
import type { Stack, ProcessName } from '@baedal/stack';
import { cpuBetween, snapshotCpu } from '../cpu';
import { pct, results } from '../load';
import { DURATION, log, onDatabase, ORDERING, ORDERS_WARMUP, settled, WARMUP } from '../options';
import type { References } from '../references';
import type { Commands } from './commands';

/*
 * placeOrder + payOrder as many customers at once, against both references
 * and Baedal; then the event pipeline: its lag while those orders flowed,
 * and its capacity draining a backlog built with the workers stopped.
 */

/** Every order and payment event committed since `from`, and each consumer's application of it, with the lag between. */
async function pipelineSince(from: Date) {
  const committed = new Map<string, number>();
  for (const service of ['orders', 'payments'] as const) {
    const { rows } = await onDatabase(service, (client) =>
      client.query<{ id: string; occurredAt: Date }>(
        `SELECT "id", "occurredAt" FROM "OutboxEvent" WHERE "occurredAt" >= $1 AND ("type" LIKE 'order.%' OR "type" LIKE 'payment.%')`,
        [from],
      ),
    );
    for (const row of rows) committed.set(row.id, row.occurredAt.getTime());
  }
  const applied: { at: number; lag: number }[] = [];
  for (const service of SERVICES) {
    const { rows } = await onDatabase(service, (client) =>
      client.query<{ eventId: string; processedAt: Date }>(
        'SELECT "eventId", "processedAt" FROM "ProcessedEvent" WHERE "processedAt" >= $1',
        [from],
      ),
    );
    for (const row of rows) {
      const at = committed.get(row.eventId);
      if (at !== undefined) applied.push({ at: row.processedAt.getTime(), lag: row.processedAt.getTime() - at });
    }
  }
  const lags = applied.map((a) => a.lag).sort((a, b) => a - b);
  const times = applied.map((a) => a.at).sort((a, b) => a - b);
  const firstCommittedAt = [...committed.values()].reduce((a, b) => Math.min(a, b), Infinity);
  return {
    events: committed.size,
    applied: applied.length,
    firstAppliedAt: times[0],
    lastAppliedAt: times[times.length - 1],
    firstCommittedAt,
    p50: pct(lags, 50),
    p99: pct(lags, 99),
  };
}

export async function measureOrders(
  stack: Stack,
  references: References,
  { placeAndPay }: Commands,
  profiled: (name: ProcessName) => string[],
): Promise<void> {
  const pairNote = `orders/s, ${ORDERING} customers at a time; latency of the pair`;
  // The references first, each after a warm-up as the read rows.
  for (const [target, url] of references.list) {
    await placeAndPay(WARMUP, `${target} warm-up`, url);
    const m = await placeAndPay(DURATION, target, url);
    const { rps, p50, p99, errors, cpu } = m;
    results.push({ scenario: 'placeOrder + payOrder', target, rps, p50, p99, errors, note: pairNote, cpu });
  }

  await placeAndPay(ORDERS_WARMUP, 'warm-up');
  await settled('warm-up events to settle');
  const liveFrom = new Date();
  const live = await placeAndPay(DURATION, 'measured');
  const { rps, p50, p99, errors, cpu } = live;
  results.push({ scenario: 'placeOrder + payOrder', target: 'Baedal', rps, p50, p99, errors, note: pairNote, cpu });
  log(`orders: ${live.rps} orders/s, errors ${live.errors}`);

  // Live: lag from commit to each consumer while those orders were placed.
  await settled('events to settle');
  const flowing = await pipelineSince(liveFrom);
  results.push({
    scenario: 'event pipeline (live)',
    target: 'Baedal',
    rps: Math.round(flowing.applied / ((flowing.lastAppliedAt - flowing.firstCommittedAt) / 1000)),
    p50: flowing.p50,
    p99: flowing.p99,
    errors: 0,
    note: `events/s applied while ordering (${flowing.applied} applications of ${flowing.events} order and payment events, every consumer); latency = lag from commit to consumer`,
  });
  log(`pipeline live: ${flowing.applied} applications, p99 lag ${flowing.p99} ms`);

  // Capacity: a backlog built with the workers stopped, then drained.
  await stack.stop('workers');
  const backlogFrom = new Date();
  const backlog = await placeAndPay(DURATION, 'backlog (workers stopped)');
  const drainStarted = Date.now();
  const drainCpu = snapshotCpu();
  stack.start('workers', {}, profiled('workers'));
  await settled('the backlog to drain', 200);
  const drained = await pipelineSince(backlogFrom);
  // From the first application, so the workers' own start-up is not counted as pipeline time.
  const drainSeconds = (drained.lastAppliedAt - drained.firstAppliedAt) / 1000;
  results.push({
    scenario: 'event pipeline (drain)',
    target: 'Baedal',
    rps: Math.round(drained.applied / drainSeconds),
    p50: 0,
    p99: 0,
    errors: 0,
    note: `events/s applied from a backlog: ${backlog.count} orders placed and paid with the workers stopped (${drained.events} events, ${drained.applied} applications), then the workers started; no latency (they waited by design)`,
    cpu: cpuBetween(drainCpu, snapshotCpu(), (Date.now() - drainStarted) / 1000),
  });
  log(`pipeline drain: ${drained.applied} applications in ${drainSeconds.toFixed(1)} s`);
}
