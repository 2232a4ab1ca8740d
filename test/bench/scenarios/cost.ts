import { cpuSecondsBetween, snapshotCpu } from '../cpu';
import { COST_RATE, DURATION, log, ORDERS_WARMUP, settled } from '../options';
import type { Commands } from './commands';

/*
 * The cost of an order: the CPU every process spends per order placed and
 * paid, at a fixed rate the machine carries with cores to spare, counted
 * until every consumer has applied its events. At saturation (the orders
 * row) processes also spend CPU on contending with each other, and
 * throughput moves 10-15% from run to run; at a fixed rate the cost per
 * order is what a change to the order path changes.
 */

export interface OrderCost {
  rate: number;
  orders: number;
  failures: number;
  seconds: number;
  /** ms of CPU per order, by process group. */
  perOrder: [string, number][];
}

export async function measureCost(gateway: string, { placeAndPayOne }: Commands): Promise<OrderCost> {
  /** Orders started every 1/COST_RATE s for `seconds` (open loop: a slow answer does not slow the next order). */
  const atRate = async (seconds: number, from: number) => {
    const started = Date.now();
    const outcomes: Promise<string | null>[] = [];
    for (let i = 0; i < seconds * COST_RATE; i++) {
      const wait = started + (i * 1000) / COST_RATE - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      outcomes.push(placeAndPayOne(gateway, from + i).then((one) => one.failure));
    }
    const failures = (await Promise.all(outcomes)).filter(Boolean).length;
    return { orders: outcomes.length - failures, failures };
  };
  await atRate(ORDERS_WARMUP, 0);
  await settled('events to settle');
  // What the platform spends with no orders (the workers' clock refresh every 30 s, polls, timers), per
  // second, over one refresh period: subtracted, so the figures are what orders cost.
  const idleFrom = snapshotCpu();
  const idleStarted = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 30_000));
  const idle = cpuSecondsBetween(idleFrom, snapshotCpu());
  const idleSeconds = (Date.now() - idleStarted) / 1000;
  const from = snapshotCpu();
  const started = Date.now();
  const m = await atRate(DURATION, ORDERS_WARMUP * COST_RATE);
  await settled('events to settle');
  const seconds = (Date.now() - started) / 1000;
  const perOrder = [...cpuSecondsBetween(from, snapshotCpu())]
    .map(
      ([group, used]) =>
        [group, (1000 * (used - ((idle.get(group) ?? 0) * seconds) / idleSeconds)) / m.orders] as [string, number],
    )
    // The references' processes stay up for the whole bench, but are no part of an order's cost.
    .filter(([group, ms]) => ms >= 0.05 && group !== 'bare server (a)' && group !== 'plain gateway (b)')
    .sort((a, b) => b[1] - a[1]);
  const perGroup = perOrder.map(([g, ms]) => `${g} ${ms.toFixed(2)}`).join(', ');
  const total = perOrder.reduce((t, [, ms]) => t + ms, 0).toFixed(2);
  log(
    `cost of an order at ${COST_RATE}/s: ${m.orders} orders (${m.failures} failed), settled in ${seconds.toFixed(1)} s; ms of CPU per order: ${perGroup}; total ${total}`,
  );
  return { rate: COST_RATE, orders: m.orders, failures: m.failures, seconds, perOrder };
}
