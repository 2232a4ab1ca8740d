import autocannon from 'autocannon';
import http from 'node:http';
import net from 'node:net';
import { callWithin } from '@baedal/platform';
import { cpuBetween, snapshotCpu } from './cpu';
import { CONNECTIONS, DURATION, log, ONE_CLIENT, WARMUP } from './options';

/* The load the bench makes, and what it records of each row. */

export interface Measure {
  scenario: string;
  target: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Answers from the gateway's fallback copy (marked stale): the subgraph timed out or its breaker was open. */
  stale?: number;
  note?: string;
  /** Cores used per process group while measuring. */
  cpu?: string;
}
/** Every row measured, in order. */
export const results: Measure[] = [];

export type Body = string;
export const body = (query: string, variables: Record<string, unknown>): Body => JSON.stringify({ query, variables });

/*
 * The bench runs with the production rate limits on (per address and per
 * account), as clients do: spread over loopback addresses, 127.0.0.2 to
 * 127.0.0.251, each a client of its own, as many people are.
 */
const CLIENT_ADDRESSES = 250;
export const clientAddress = (n: number) => `127.0.0.${2 + (n % CLIENT_ADDRESSES)}`;

// The command rows' load generator posts with the platform's own client (node:http, keep-alive): on one run
// fetch's load generator used 0.22 cores while ordering, a ninth of the machine the platform shares with it.
// One keep-alive pool per client address.
const agents = new Map<string, http.Agent>();
const agentFrom = (address: string) => {
  let agent = agents.get(address);
  if (!agent)
    agents.set(address, (agent = new http.Agent({ keepAlive: true, maxSockets: 256, localAddress: address })));
  return agent;
};
export function closeClients(): void {
  for (const agent of agents.values()) agent.destroy();
}

/** Posts as the client `from` (an index of the client addresses). */
export async function post(url: string, payload: Body, headers: Record<string, string> = {}, from = 0) {
  const answer = await callWithin(url, {
    headers: { 'content-type': 'application/json', ...headers },
    body: payload,
    timeoutMs: 60_000,
    agent: agentFrom(clientAddress(from)),
  });
  return { status: answer.status, text: answer.text };
}

/**
 * autocannon connects from one address; each of its connections becomes a
 * client address of its own, and a new one each time it reconnects
 * (CLIENT_REQUESTS), so the load is many clients of a few hundred requests
 * each, as people are, not 64 clients sending without pause.
 */
let connections = 0;
// Below the per-address limits (600 counted requests a minute): 250 addresses, 200 requests each before the next.
const CLIENT_REQUESTS = 200;
function fromAddressOfItsOwn(client: unknown): void {
  const c = client as { _connect(): void; conn: net.Socket; opts: { port: number; hostname: string } };
  const connect = c._connect.bind(c);
  c._connect = () => {
    const localAddress = clientAddress(connections++);
    const original = net.connect;
    // autocannon's _connect calls net.connect(port, host): this one call is given the client's address.
    (net as { connect: unknown }).connect = (port: number, host: string) => original({ port, host, localAddress });
    try {
      connect();
    } finally {
      (net as { connect: unknown }).connect = original;
    }
  };
}

export const pct = (list: number[], p: number) =>
  list[Math.min(list.length - 1, Math.floor((p / 100) * list.length))] ?? 0;

/** Zipf(s) sample of n ranks over `count` items. */
export function zipf(count: number, n: number, s = 1.07): number[] {
  const weights = Array.from({ length: count }, (_, k) => 1 / Math.pow(k + 1, s));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  weights.reduce((sum, w, i) => (cumulative[i] = sum + w / total), 0);
  let seed = 7;
  const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  return Array.from({ length: n }, () => {
    const r = rnd();
    let lo = 0;
    let hi = count - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  });
}

/** Above this many bodies, requests are built as they are sent rather than in advance. */
const PREBUILT_LIMIT = 1000;

/** Headers every request carries, or callers (each a set of headers) whose requests take turns. */
export type Callers = Record<string, string> | Record<string, string>[];

/** Runs for `length` seconds, or for `{ amount }` requests; `onBody` sees every answer's body. */
export async function cannon(
  url: string,
  bodies: Body[],
  length: number | { amount: number },
  headers: Callers = {},
  onBody?: (body: string) => void,
): Promise<autocannon.Result> {
  const callers = Array.isArray(headers) ? headers : null;
  const fixed = Array.isArray(headers) ? {} : headers;
  const request = {
    method: 'POST' as const,
    path: '/graphql',
    headers: { 'content-type': 'application/json', ...fixed },
    ...(onBody ? { onResponse: (_status: number, body: string) => onBody(body) } : {}),
  };
  // Many signed-in customers, each below the per-account limits as a person is.
  let turn = 0;
  const asCaller = (req: autocannon.Request) =>
    callers ? { ...req, headers: { ...req.headers, ...callers[turn++ % callers.length] } } : req;
  // autocannon prebuilds every request once per connection: 20,000 detail bodies × 64 connections
  // saturated the load generator (and timed some connections out). Large sets take the next body
  // from one cursor shared by all connections instead, in the sample's order.
  let next = 0;
  const requests =
    bodies.length > PREBUILT_LIMIT
      ? [
          {
            ...request,
            setupRequest: (req: autocannon.Request) => asCaller({ ...req, body: bodies[next++ % bodies.length] }),
          },
        ]
      : bodies.map((b) => ({ ...request, body: b, ...(callers ? { setupRequest: asCaller } : {}) }));
  return autocannon({
    url,
    connections: CONNECTIONS,
    ...(ONE_CLIENT ? {} : { setupClient: fromAddressOfItsOwn, reconnectRate: CLIENT_REQUESTS }),
    ...(typeof length === 'number' ? { duration: length } : length),
    requests,
  });
}

/** A read row: a warm-up, then DURATION seconds measured, every answer inspected; recorded in `results`. */
export async function measure(
  scenario: string,
  target: string,
  url: string,
  bodies: Body[],
  note?: string,
  headers: Callers = {},
  warm = false,
): Promise<Measure> {
  await cannon(url, bodies, WARMUP, headers);
  // A hot row measures warm caches: every gateway process caches on its own, and a request lands on
  // either, so the sample is walked three more times (each body reaches a given process with
  // probability 7/8). A few seconds alone cover only part of a 20,000-draw sample at the cold rate.
  if (warm && bodies.length > PREBUILT_LIMIT) await cannon(url, bodies, { amount: 3 * bodies.length }, headers);
  const before = snapshotCpu();
  const startedAt = Date.now();
  // A 200 can still carry GraphQL errors, or the gateway's stale copy when a subgraph timed out under
  // the load (then the row did not measure the whole pipeline): every answer is looked at.
  let graphqlErrors = 0;
  let stale = 0;
  const inspect = (answer: string) => {
    // The first error of a row is shown, so a row with errors says what they were.
    if (answer.includes('"errors"') && graphqlErrors++ === 0)
      log(`${scenario} / ${target}: first error ${answer.slice(0, 300)}`);
    else if (answer.includes('"stale"')) stale++;
  };
  const r = await cannon(url, bodies, DURATION, headers, inspect);
  // Over the cannon's whole run: it prepares its requests before its own clock starts.
  const cpu = cpuBetween(before, snapshotCpu(), (Date.now() - startedAt) / 1000);
  const m = {
    scenario,
    target,
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.non2xx + r.timeouts + graphqlErrors,
    stale,
    note,
    cpu,
  };
  results.push(m);
  log(
    `${scenario} / ${target}: ${m.rps} req/s, p50 ${m.p50} ms, p99 ${m.p99} ms, errors ${m.errors}, stale ${m.stale}`,
  );
  return m;
}
