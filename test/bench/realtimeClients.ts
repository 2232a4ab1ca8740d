import { parentPort, workerData } from 'node:worker_threads';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/*
 * The realtime row's load generator, a worker thread of its own so its
 * sockets never wait on the bench's order load: one graphql-ws connection per
 * device, each following its owner's orders, as the owner dashboard does.
 * For each event it records how long after the event's commit (`occurredAt`,
 * written in the order's transaction) it arrived.
 */

export interface DevicesStart {
  url: string;
  query: string;
  /** One Authorization header per device. */
  devices: string[];
  /** Devices connecting at once. */
  batch: number;
}

/** What the thread reports when asked: every event's delay since commit, and what went wrong. */
export interface DevicesReport {
  open: number;
  /** [orderId, event type, milliseconds since commit, milliseconds since it entered the live feed] per event received, on any device. */
  received: [string, string, number, number][];
  failures: Record<string, number>;
}

export type DevicesMessage = { type: 'opened'; open: number } | ({ type: 'report' } & DevicesReport);

interface OwnerEvent {
  type: string;
  /** The feed's entry id: when the event entered it, then a sequence number. */
  cursor: string;
  occurredAt: string;
  order: { id: string };
}

const { url, query, devices, batch } = workerData as DevicesStart;
const clients: Client[] = [];
let received: DevicesReport['received'] = [];
const failures: Record<string, number> = {};
let open = 0;
const fail = (why: string) => (failures[why] = (failures[why] ?? 0) + 1);

/** One device: connected, and its subscription sent. */
function connect(authorization: string): Promise<void> {
  return new Promise((resolve) => {
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: { authorization },
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: () => {
        fail('could not connect');
        resolve();
      },
      on: {
        connected: () => {
          open++;
          resolve();
        },
        closed: (event) => {
          const code = (event as { code?: number }).code;
          if (code !== 1000) fail(`closed ${code}`);
        },
      },
    });
    clients.push(client);
    client.subscribe(
      { query },
      {
        next: (result) => {
          const event = result.data?.shopOrderEvents as OwnerEvent | undefined;
          const error = result.errors?.[0];
          const code = error?.extensions?.code;
          if (!event) return void fail(typeof code === 'string' ? `${code}: ${error?.message}` : 'no data');
          const now = Date.now();
          const fed = Number(event.cursor.split('-')[0]);
          received.push([event.order.id, event.type, now - Date.parse(event.occurredAt), now - fed]);
        },
        error: () => fail('subscription error'),
        complete: () => {},
      },
    );
  });
}

async function openAll(): Promise<void> {
  for (let i = 0; i < devices.length; i += batch) {
    await Promise.all(devices.slice(i, i + batch).map(connect));
  }
  parentPort!.postMessage({ type: 'opened', open } satisfies DevicesMessage);
}

parentPort!.on('message', (message: 'report' | 'close') => {
  if (message === 'report') {
    parentPort!.postMessage({ type: 'report', open, received, failures } satisfies DevicesMessage);
    received = [];
  } else {
    void Promise.all(clients.map(async (c) => c.dispose())).then(() => process.exit(0));
  }
});

void openAll();
