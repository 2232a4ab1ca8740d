import type http from 'node:http';
import type { ServerOptions } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { formatError } from './errors';
import { identityHeaders, verifyBody, verifyIdentityHeaders } from './signedIdentity';
import type { Identity } from './identity';

/*
 * GraphQL subscriptions over WebSocket (the graphql-ws protocol) at /graphql,
 * beside a server's HTTP answers: the gateway serves clients this way, and a
 * subgraph that defines subscription fields serves the gateway. Every socket
 * is pinged, and one that does not answer within two pings is dropped. A
 * socket whose client reads slower than its events come (more than
 * `maxBufferedBytes` unsent) is closed with 4499 rather than buffered without
 * bound; the client reconnects and resumes with `after`. Errors in results
 * are formatted as over HTTP (formatError): what is not a domain answer is an
 * INTERNAL_SERVER_ERROR, its message withheld.
 */

export const SUBSCRIPTIONS_PATH = '/graphql';
/** Sent to a client that fell too far behind: reconnect, resuming with `after`. */
export const TOO_SLOW_CLOSE_CODE = 4499;

export interface WebSocketOptions {
  /** Milliseconds between pings. */
  pingMs?: number;
  maxBufferedBytes?: number;
}

/** Serves `options` (graphql-ws's) on `server`'s upgrades to /graphql; answers a function that closes every socket. */
export function serveGraphQLWs<P extends Record<string, unknown>>(
  server: http.Server,
  options: ServerOptions<P, { socket: WebSocket; request: http.IncomingMessage }>,
  { pingMs = 15_000, maxBufferedBytes = 1 << 20 }: WebSocketOptions = {},
): () => Promise<void> {
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  server.on('upgrade', (req, socket, head) => {
    if ((req.url ?? '').split('?')[0] !== SUBSCRIPTIONS_PATH) return socket.destroy();
    sockets.handleUpgrade(req, socket, head, (ws) => sockets.emit('connection', ws, req));
  });
  const alive = new WeakSet<WebSocket>();
  sockets.on('connection', (ws: WebSocket) => {
    alive.add(ws);
    ws.on('pong', () => alive.add(ws));
  });
  const pinger = setInterval(() => {
    for (const ws of sockets.clients) {
      if (!alive.has(ws)) ws.terminate();
      else if (ws.bufferedAmount > maxBufferedBytes) ws.close(TOO_SLOW_CLOSE_CODE, 'Too far behind; resume with after');
      else {
        alive.delete(ws);
        ws.ping();
      }
    }
  }, pingMs);
  pinger.unref();
  const served = useServer(
    {
      ...options,
      // A socket that cannot keep up is closed, not buffered without bound.
      onNext: async (ctx, id, payload, args, result) => {
        if (ctx.extra.socket.bufferedAmount > maxBufferedBytes)
          ctx.extra.socket.close(TOO_SLOW_CLOSE_CODE, 'Too far behind; resume with after');
        const replaced = await options.onNext?.(ctx, id, payload, args, result);
        if (replaced || !result.errors) return replaced;
        return { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) };
      },
    },
    sockets,
  );
  return async () => {
    clearInterval(pinger);
    for (const ws of sockets.clients) ws.close(1001, 'Going away; reconnect');
    await served.dispose();
    await new Promise<void>((resolve) => sockets.close(() => resolve()));
  };
}

/** Where a subscription's signed identity travels: graphql-ws's subscribe message has no headers of its own. */
export interface SignedSubscription {
  query: string;
  variables?: Record<string, unknown> | null;
}

const subscriptionBody = ({ query, variables }: SignedSubscription) => JSON.stringify({ query, variables });

/** The extensions that carry `identity` in one subscription the gateway opens at a subgraph. */
export function signSubscription(identity: Identity, audience: string, subscription: SignedSubscription) {
  return {
    identity: identityHeaders(identity, { audience, method: 'SUBSCRIBE', body: subscriptionBody(subscription) }),
  };
}

/** A subgraph's view of a subscription's caller: the gateway's signature over this very subscription, or UNAUTHENTICATED. */
export function verifySubscription(
  audience: string,
  subscription: SignedSubscription & { extensions?: Record<string, unknown> | null },
): Identity {
  const headers = (subscription.extensions?.identity ?? {}) as Record<string, string>;
  const identity = verifyIdentityHeaders(headers, { audience, method: 'SUBSCRIBE' });
  verifyBody(headers, subscriptionBody(subscription));
  return identity;
}
