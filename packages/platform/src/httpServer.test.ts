import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createHttpServer, REQUEST_ID_HEADER } from './httpServer';
import { sendJson } from './json';
import { closeServer } from './processes';

const log = pino({ level: 'silent' });

async function serve(options: Parameters<typeof createHttpServer>[0]) {
  const server = createHttpServer(options);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => closeServer(server) };
}

describe('the HTTP server', () => {
  it('answers its routes by exact path, hands every other request on, and gives each answer a request id', async () => {
    const seen: string[] = [];
    const { url, close } = await serve({
      logger: log,
      routes: { '/healthz': (_req, res) => sendJson(res, 200, { status: 'ok' }) },
      handle: async (req, res, target) => {
        seen.push(`${req.method} ${target.pathname} ${target.search}`);
        sendJson(res, 200, { handled: true });
      },
    });
    try {
      const health = await fetch(`${url}/healthz`, { headers: { [REQUEST_ID_HEADER]: 'r-1' } });
      expect([health.status, health.headers.get(REQUEST_ID_HEADER)]).toEqual([200, 'r-1']);
      expect((await fetch(`${url}/graphql?query=x`)).headers.get(REQUEST_ID_HEADER)).toMatch(/^[0-9a-f-]{36}$/);
      // Not an own route: a name every object has is no route.
      await fetch(`${url}/constructor`);
      expect(seen).toEqual(['GET /graphql ?query=x', 'GET /constructor ']);
    } finally {
      await close();
    }
  });

  it('answers 500 when a route throws before it returns a promise, and keeps serving', async () => {
    const { url, close } = await serve({
      logger: log,
      routes: {
        '/broken': () => {
          throw new Error('a bug');
        },
      },
      handle: async (_req, res) => sendJson(res, 200, { handled: true }),
    });
    try {
      const broken = await fetch(`${url}/broken`);
      expect([broken.status, await broken.json()]).toEqual([
        500,
        { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] },
      ]);
      expect(await (await fetch(`${url}/graphql`)).json()).toEqual({ handled: true });
    } finally {
      await close();
    }
  });
});
