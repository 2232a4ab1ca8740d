import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { issueToken } from '@baedal/platform';
import type { createShopsClient } from '@baedal/prisma/shops';
import { cpuBetween, memoryByGroup, snapshotCpu } from '../cpu';
import { body, pct, post, results } from '../load';
import { DURATION, log, REALTIME_RATE, SUBSCRIPTIONS } from '../options';
import type { DevicesMessage, DevicesReport, DevicesStart } from '../realtimeClients';
import type { Commands, PlacedAndPaid } from './commands';

/*
 * The live order relay at scale: SUBSCRIPTIONS owner devices (one graphql-ws
 * connection each, spread over every owner of the data set, opened by a
 * worker thread) follow their orders with the README's owner-dashboard
 * selection, which reaches into shops. Orders are then placed and paid at a
 * fixed rate; each event must reach every device of its shop's owner. The
 * row reports each delivery's delay from the event's commit, the memory the
 * open subscriptions hold, and the cores the gateway spends idle and busy.
 * A second row rejects all those orders at once (measureBurst).
 */

const DASHBOARD = `subscription OwnerDashboard {
  shopOrderEvents { eventId cursor type status occurredAt order { id total shop { id name } lines { name quantity } } }
}`;
/** Processes whose memory holds the subscriptions: the gateway relays them, orders serves them. */
const HOLDERS = ['gateway', 'orders'];
const MB = 1024 * 1024;

function startDevices(start: DevicesStart) {
  const worker = new Worker(path.join(__dirname, '..', 'realtimeClients.js'), { workerData: start });
  const next = <T extends DevicesMessage['type']>(type: T) =>
    new Promise<Extract<DevicesMessage, { type: T }>>((resolve, reject) => {
      const onMessage = (message: DevicesMessage) => {
        if (message.type !== type) return;
        worker.off('message', onMessage);
        resolve(message as Extract<DevicesMessage, { type: T }>);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
  return {
    opened: next('opened'),
    report: (): Promise<DevicesReport> => {
      const answer = next('report');
      worker.postMessage('report');
      return answer;
    },
    close: () =>
      new Promise<void>((resolve) => {
        worker.once('exit', () => resolve());
        worker.postMessage('close');
      }),
  };
}

const held = (memory: Map<string, number>) => HOLDERS.reduce((sum, group) => sum + (memory.get(group) ?? 0), 0);

export async function measureRealtime(
  gateway: string,
  shopsDb: ReturnType<typeof createShopsClient>,
  { placeAndPayOne }: Commands,
): Promise<void> {
  const owners = (await shopsDb.account.findMany({ where: { role: 'OWNER' }, select: { id: true } })).map((o) => o.id);
  const devices = Array.from({ length: SUBSCRIPTIONS }, (_, i) => owners[i % owners.length]);
  const devicesOf = new Map<string, number>();
  for (const owner of devices) devicesOf.set(owner, (devicesOf.get(owner) ?? 0) + 1);
  const tokens = new Map(owners.map((id) => [id, `Bearer ${issueToken({ id, role: 'OWNER' }, 3600)}`]));

  const before = memoryByGroup();
  const opening = Date.now();
  const clients = startDevices({
    url: gateway.replace(/^http/, 'ws'),
    query: DASHBOARD,
    devices: devices.map((owner) => tokens.get(owner)!),
    batch: 200,
  });
  const { open } = await clients.opened;
  log(`realtime: ${open} of ${SUBSCRIPTIONS} devices connected in ${((Date.now() - opening) / 1000).toFixed(1)} s`);
  await new Promise((resolve) => setTimeout(resolve, 5000)); // every subscription reached orders
  const memory = memoryByGroup();
  const perSubscription = HOLDERS.map(
    (group) => `${group} ${(((memory.get(group) ?? 0) - (before.get(group) ?? 0)) / open / 1024).toFixed(1)} KB`,
  ).join(', ');
  const idleCpu = snapshotCpu();
  await new Promise((resolve) => setTimeout(resolve, DURATION * 1000));
  const idle = cpuBetween(idleCpu, snapshotCpu(), DURATION);

  // Orders at a fixed rate, well under what ordering carries: the row measures delivery, not ordering.
  const placed: PlacedAndPaid[] = [];
  const started = Date.now();
  const busyCpu = snapshotCpu();
  const pending: Promise<void>[] = [];
  for (let i = 0; Date.now() - started < DURATION * 1000; i++) {
    pending.push(placeAndPayOne(gateway, i).then((one) => void placed.push(one)));
    const due = started + ((i + 1) * 1000) / REALTIME_RATE;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
  }
  await Promise.all(pending);
  await new Promise((resolve) => setTimeout(resolve, 3000)); // the last events arrive
  const elapsed = (Date.now() - started) / 1000;
  const busy = cpuBetween(busyCpu, snapshotCpu(), elapsed);
  const report = await clients.report();

  // An order paid is placed (order.placed, the owner's ring): every device of its shop's owner should hear it once.
  const ownerOf = new Map(
    (
      await shopsDb.shop.findMany({
        where: { id: { in: [...new Set(placed.map((p) => p.shopId))] } },
        select: { id: true, ownerId: true },
      })
    ).map((s) => [s.id, s.ownerId]),
  );
  const paid = placed.filter((p) => !p.failure);
  const orderIdOf = (p: PlacedAndPaid) =>
    (JSON.parse(p.placed) as { data: { placeOrder: { id: string } } }).data.placeOrder.id;
  const rejections = paid.map((p) => ({ id: orderIdOf(p), owner: ownerOf.get(p.shopId)! }));
  const expected = paid.reduce((sum, p) => sum + (devicesOf.get(ownerOf.get(p.shopId)!) ?? 0), 0);
  // Only this row's orders count: orders an earlier run left unpaid expire meanwhile, and their owners hear of it.
  const ours = new Set(paid.map(orderIdOf));
  const rings = report.received.filter(([orderId, type]) => type === 'order.placed' && ours.has(orderId));
  const others = report.received.length - rings.length;
  const delays = rings.map(([, , ms]) => ms).sort((a, b) => a - b);
  const missed = Math.max(0, expected - delays.length);
  // The two legs: from commit into the live feed (outbox, queue, the realtime consumer), and from the feed to the device.
  const served = rings.map(([, , , ms]) => ms).sort((a, b) => a - b);
  const legs =
    `commit to feed p50 ${pct(delays, 50) - pct(served, 50)} ms (medians' difference); ` +
    `feed to device p50 ${pct(served, 50)} ms, p99 ${pct(served, 99)} ms`;
  const failures = Object.entries(report.failures)
    .map(([why, n]) => `${why} ${n}`)
    .join(', ');
  const note =
    `${open.toLocaleString('en-US')} devices open (one subscription each, over ${owners.length} owners); ` +
    `${paid.length} orders placed and paid at ${REALTIME_RATE}/s, ${delays.length} of ${expected} deliveries (and ${others} of other events); ` +
    `latency from commit to the device; memory per subscription: ${perSubscription} ` +
    `(the two ${(held(before) / MB).toFixed(0)} MB before, ${(held(memory) / MB).toFixed(0)} MB open); ` +
    `cores idle with all open: ${idle}${failures ? `; failures: ${failures}` : ''}`;
  results.push({
    scenario: 'live orders: new order to its owner',
    target: 'Baedal',
    rps: Math.round(delays.length / elapsed),
    p50: pct(delays, 50),
    p99: pct(delays, 99),
    errors: missed + (placed.length - paid.length),
    note,
    cpu: busy,
  });
  log(`realtime: ${note}`);
  log(`realtime: deliveries p50 ${pct(delays, 50)} ms, p99 ${pct(delays, 99)} ms; ${legs}; cores busy: ${busy}`);

  await measureBurst(gateway, clients, rejections, { tokens, devicesOf, placeAndPayOne });
  await clients.close();
}

const REJECT = 'mutation($id: ID!) { rejectOrder(id: $id, reason: "closing early") { status } }';
const sleepUntil = (at: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

/**
 * A burst, as the expiry sweep makes one: the owners reject every order of
 * the row at once (64 at a time), while customers go on ordering at the row's
 * rate. Every device must hear each rejection, and no order may fail.
 */
async function measureBurst(
  gateway: string,
  clients: ReturnType<typeof startDevices>,
  orders: { id: string; owner: string }[],
  {
    tokens,
    devicesOf,
    placeAndPayOne,
  }: Pick<Commands, 'placeAndPayOne'> & {
    tokens: Map<string, string>;
    devicesOf: Map<string, number>;
  },
): Promise<void> {
  const expected = orders.reduce((sum, o) => sum + (devicesOf.get(o.owner) ?? 0), 0);
  const started = Date.now();
  const cpuBefore = snapshotCpu();
  const queue = [...orders];
  let refused = 0;
  let sent = 0;
  const rejecting = Promise.all(
    Array.from({ length: 64 }, async () => {
      for (let o = queue.pop(); o; o = queue.pop()) {
        const answer = await post(gateway, body(REJECT, { id: o.id }), { authorization: tokens.get(o.owner)! }, sent++);
        if (answer.status !== 200 || answer.text.includes('"errors"')) refused++;
      }
    }),
  );
  const ordering: PlacedAndPaid[] = [];
  const pending: Promise<void>[] = [];
  for (let i = 0; Date.now() - started < 5000; i++) {
    pending.push(placeAndPayOne(gateway, 100_000 + i).then((one) => void ordering.push(one)));
    await sleepUntil(started + ((i + 1) * 1000) / REALTIME_RATE);
  }
  await Promise.all([rejecting, ...pending]);
  const ids = new Set(orders.map((o) => o.id));
  const heard: number[] = [];
  let failures: Record<string, number> = {};
  for (const deadline = Date.now() + 30_000; heard.length < expected && Date.now() < deadline;) {
    await sleepUntil(Date.now() + 500);
    const report = await clients.report();
    failures = report.failures;
    for (const [id, type, ms] of report.received) if (type === 'order.rejected' && ids.has(id)) heard.push(ms);
  }
  const elapsed = (Date.now() - started) / 1000;
  heard.sort((a, b) => a - b);
  const failedOrders = ordering.filter((p) => p.failure).length;
  const seen = Object.entries(failures)
    .map(([why, n]) => `${why} ${n}`)
    .join(', ');
  const note =
    `${orders.length} orders rejected at once by their owners, ${heard.length} of ${expected} deliveries` +
    ` (${refused} rejections refused); meanwhile ${ordering.length} orders placed and paid at ${REALTIME_RATE}/s,` +
    ` ${failedOrders} failed${seen ? `; device failures so far: ${seen}` : ''}`;
  results.push({
    scenario: 'live orders: a burst of rejections',
    target: 'Baedal',
    rps: Math.round(heard.length / elapsed),
    p50: pct(heard, 50),
    p99: pct(heard, 99),
    errors: expected - heard.length + refused + failedOrders,
    note,
    cpu: cpuBetween(cpuBefore, snapshotCpu(), elapsed),
  });
  log(`realtime burst: ${note}; p50 ${pct(heard, 50)} ms, p99 ${pct(heard, 99)} ms`);
}
