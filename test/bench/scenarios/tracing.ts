import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Stack, ProcessName } from '@baedal/stack';
import { measure, results, type Body, type Measure } from '../load';
import { DURATION, ORDERS_WARMUP, log } from '../options';
import type { Commands } from './commands';

/*
 * What tracing costs (--only tracing): hot shop detail and placing and paying
 * orders, with every process exporting spans (OTEL_EXPORTER_OTLP_ENDPOINT,
 * to a sink in the bench that takes and drops them) and without, as the
 * median of three interleaved runs of each.
 */

const TRACED: ProcessName[] = ['shops', 'ads', 'orders', 'payments', 'reviews', 'workers', 'gateway'];

export async function measureTracingCost(
  sets: [string, Body[]][],
  stack: Stack,
  { placeAndPay }: Commands,
): Promise<void> {
  const detail = sets.find(([scenario]) => scenario === 'shop detail')![1];
  const sink = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
  const restartAll = async (env: Record<string, string>) => {
    for (const name of TRACED) await stack.restart(name, env);
  };
  const rows = {
    reads: { on: [] as Measure[], off: [] as Measure[] },
    orders: { on: [] as Measure[], off: [] as Measure[] },
  };
  const first = results.length;
  try {
    for (let run = 0; run < 3; run++) {
      // ABBA order, so a machine that speeds up or slows down during the runs favours neither.
      for (const tracing of run % 2 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
        await restartAll(tracing === 'on' ? { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint } : {});
        rows.reads[tracing].push(
          await measure('shop detail', `tracing ${tracing}`, stack.gatewayUrl, detail, undefined, {}, true),
        );
        await placeAndPay(ORDERS_WARMUP, `tracing ${tracing} warm-up`);
        const orders = await placeAndPay(DURATION, `tracing ${tracing}`);
        rows.orders[tracing].push({ scenario: 'placeOrder + payOrder', target: `tracing ${tracing}`, ...orders });
        log(`tracing ${tracing}: detail ${rows.reads[tracing].at(-1)!.rps} req/s, ${orders.rps} orders/s`);
      }
    }
  } finally {
    await restartAll({});
    sink.close();
  }
  results.splice(first);
  const median = (list: Measure[]) => [...list].sort((a, b) => a.rps - b.rps)[1];
  for (const [kind, { on, off }] of Object.entries(rows)) {
    const [traced, untraced] = [median(on), median(off)];
    const cost = ((untraced.rps - traced.rps) / untraced.rps) * 100;
    results.push({
      ...traced,
      scenario: kind === 'reads' ? 'shop detail, hot' : 'placeOrder + payOrder',
      target: 'Baedal, tracing on (OTLP to a local sink)',
      note: `median of 3 interleaved runs: on ${on.map((m) => m.rps).join('/')}, off ${off.map((m) => m.rps).join('/')}; cost ${cost.toFixed(1)}%`,
    });
  }
}
