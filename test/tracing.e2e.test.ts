import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { bearer, graphql, login } from './support/graphql';
import { orderableShops, placeOrder } from './support/orders';
import { eventually, startTestPlatform, type TestPlatform } from './support/stack';

/*
 * Traces across events: the platform exports to a small OTLP receiver this
 * test starts, and one order's trace holds its whole path, from processes
 * of its own: placeOrder at the gateway and in orders, order.created relayed
 * and applied by payments' consumer, payOrder in payments, payment.approved
 * relayed and applied by orders', order.placed relayed and applied by every
 * consumer of it. Events also carry the id of the request their chain
 * started from (the correlation id on their consumers' log lines).
 */

const BASE = 14800;

interface ReceivedSpan {
  service: string;
  traceId: string;
  name: string;
  attributes: Record<string, unknown>;
}
const spans: ReceivedSpan[] = [];

type OtlpValue = { stringValue?: string; intValue?: string; boolValue?: boolean };
type OtlpAttribute = { key: string; value: OtlpValue };
interface OtlpTraces {
  resourceSpans: {
    resource: { attributes: OtlpAttribute[] };
    scopeSpans: { spans: { traceId: string; name: string; attributes?: OtlpAttribute[] }[] }[];
  }[];
}
const attributesOf = (list: OtlpAttribute[] = []) =>
  Object.fromEntries(list.map((a) => [a.key, a.value.stringValue ?? a.value.intValue ?? a.value.boolValue]));

// OTLP over HTTP with JSON (the exporter's default encoding): POST /v1/traces.
const receiver = http.createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    if (req.url === '/v1/traces') {
      const traces = JSON.parse(body) as OtlpTraces;
      for (const resource of traces.resourceSpans) {
        const service = String(attributesOf(resource.resource.attributes)['service.name']);
        for (const scope of resource.scopeSpans)
          for (const span of scope.spans)
            spans.push({ service, traceId: span.traceId, name: span.name, attributes: attributesOf(span.attributes) });
      }
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});

let platform: TestPlatform;

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  platform = await startTestPlatform('tracing', BASE, 10, {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
    OTEL_BSP_SCHEDULE_DELAY: '200',
    ORDERS_AUTO_APPROVE_PAYMENT: 'false',
  });
}, 180_000);

afterAll(async () => {
  await platform?.stop();
  receiver.close();
}, 60_000);

it('follows one order from placeOrder through payment to every consumer in one trace', async () => {
  const url = platform.gatewayUrl;
  const customer = await login(url, 'customer1@baedal.dev');
  const [shop] = await orderableShops(platform.databaseUrl('shops'));
  const placed = await placeOrder(url, customer.token, shop, 'id paymentToken');
  expect(placed.errors).toBeUndefined();
  const { id, paymentToken } = placed.data.placeOrder as { id: string; paymentToken: string };
  const paid = await graphql(
    url,
    'mutation Pay($id: ID!, $key: String!, $token: String) { payOrder(orderId: $id, method: CARD, idempotencyKey: $key, paymentToken: $token) { status } }',
    { id, key: randomUUID(), token: paymentToken },
    bearer(customer.token),
  );
  expect(paid.data?.payOrder.status).toBe('APPROVED');

  // The trace is the one payments' payOrder span belongs to: it names the order.
  const expected = [
    ['gateway', 'POST'],
    ['orders', 'POST'],
    ['workers', 'relay order.created'],
    ['workers', 'consume order.created payments'],
    ['payments', 'payOrder'],
    ['workers', 'relay payment.approved'],
    ['workers', 'consume payment.approved orders'],
    ['workers', 'relay order.placed'],
    ['workers', 'consume order.placed shops'],
    ['workers', 'consume order.placed payments'],
  ];
  const seen = () => {
    const traceId = spans.find((s) => s.name === 'payOrder' && s.attributes['baedal.order.id'] === id)?.traceId;
    const trace = spans.filter((s) => s.traceId === traceId);
    const named = (s: ReceivedSpan) =>
      s.name.startsWith('consume ')
        ? `${s.name} ${String(s.attributes['baedal.consumer'])}`
        : s.name.split(' ')[0] === 'POST'
          ? 'POST'
          : s.name;
    return expected.filter(([service, name]) => trace.some((s) => s.service === service && named(s) === name));
  };
  await eventually(
    "the order's whole trace to arrive",
    () => Promise.resolve(seen().length === expected.length),
    30_000,
    200,
  );
  expect(seen()).toEqual(expected);
}, 120_000);

it('carries the request id of the request each chain of events started from', async () => {
  const url = platform.gatewayUrl;
  const customer = await login(url, 'customer1@baedal.dev');
  const ordersDb = new pg.Client({ connectionString: platform.databaseUrl('orders') });
  await ordersDb.connect();
  try {
    const order = await ordersDb.query<{ id: string }>('SELECT "id" FROM "Order" ORDER BY "createdAt" DESC LIMIT 1');
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(customer.token) },
      body: JSON.stringify({
        query: 'mutation Cancel($id: ID!) { cancelOrder(id: $id, reason: "test") { status } }',
        variables: { id: order.rows[0].id },
      }),
    });
    const requestId = response.headers.get('x-request-id');
    const rows = await ordersDb.query<{ type: string; correlationId: string | null }>(
      `SELECT "type", "correlationId" FROM "OutboxEvent" WHERE "aggregateId" = $1 ORDER BY "seq"`,
      [order.rows[0].id],
    );
    expect(requestId).toBeTruthy();
    // order.created came from placeOrder's request, order.placed from payOrder's (through payment.approved), …
    expect(rows.rows.every((r) => r.correlationId)).toBe(true);
    const [created, placed] = [
      rows.rows.find((r) => r.type === 'order.created')!,
      rows.rows.find((r) => r.type === 'order.placed')!,
    ];
    expect(created.correlationId).not.toBe(placed.correlationId);
    // …and whatever the cancel did, it did under the cancel's.
    expect(((await response.json()) as { errors?: unknown }).errors).toBeUndefined();
    expect(rows.rows.find((r) => r.type === 'order.canceled')?.correlationId).toBe(requestId);
  } finally {
    await ordersDb.end();
  }
});
