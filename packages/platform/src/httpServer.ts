import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { BodyTooLarge, INTERNAL_ERROR, sendJson, sendJsonText, TOO_LARGE } from './json';
import { httpServing } from './config';
import { inLogScope, type Logger } from './logger';

export type Route = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> | void;

export const REQUEST_ID_HEADER = 'x-request-id';
/** Where the edge echoes the id a client sent, beside its own. */
export const CLIENT_REQUEST_ID_HEADER = 'x-client-request-id';

/** A request as the server hands it on: its id (given, or new) and its target split into path and query. */
export interface RequestTarget {
  requestId: string;
  /** The id a client sent, kept apart from ours (a public server never takes a client's id for its own). */
  clientRequestId?: string;
  pathname: string;
  search: string;
}

export interface HttpServerOptions {
  /** GET and HEAD routes by exact path, e.g. /healthz. */
  routes?: Record<string, Route>;
  /** Every other request. */
  handle: (req: http.IncomingMessage, res: http.ServerResponse, target: RequestTarget) => Promise<void>;
  logger: Logger;
  /**
   * Whether the caller's x-request-id is this request's id: true behind the
   * gateway (subgraphs, which only it may call); false at the edge, which
   * makes its own and keeps the client's apart.
   */
  trustRequestId?: boolean;
  /**
   * Whether lines logged (and events written) anywhere while answering carry
   * the request id by themselves (a log scope, logger.ts). A scope is an
   * AsyncLocalStorage, which turns on Node's promise hooks for the whole
   * process: every promise of every request pays for them. The gateway names
   * the request on its few lines itself and answers most requests from
   * memory, so it serves without one.
   */
  logScope?: boolean;
}

/**
 * The HTTP server every process serves on: plain node:http (no web framework
 * on the hot path), a request id on every answer, health routes beside the
 * application's handler, and an error that escapes the handler answered 500
 * (413 for a body too large) and logged with the request id.
 */
export function createHttpServer({
  routes = {},
  handle,
  logger,
  trustRequestId = true,
  logScope = true,
}: HttpServerOptions): http.Server {
  // Timeouts are enforced by a sweep of the connections: often enough that a slow client is cut off on time.
  const connectionsCheckingInterval = Math.min(1000, httpServing().headersTimeoutMs / 2);
  return http.createServer({ connectionsCheckingInterval }, (req, res) => {
    // A request target is a path and a query; splitting it is all routing needs (no URL object per request).
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const pathname = queryAt < 0 ? url : url.slice(0, queryAt);
    const given = req.headers[REQUEST_ID_HEADER] as string | undefined;
    const requestId = (trustRequestId && given) || randomUUID();
    const clientRequestId = trustRequestId ? undefined : given?.slice(0, 200);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    if (clientRequestId) res.setHeader(CLIENT_REQUEST_ID_HEADER, clientRequestId);
    const route = Object.hasOwn(routes, pathname) ? routes[pathname] : undefined;
    let work: Promise<void> | void;
    try {
      const answer = () =>
        route && (req.method === 'GET' || req.method === 'HEAD')
          ? route(req, res)
          : handle(req, res, { requestId, clientRequestId, pathname, search: queryAt < 0 ? '' : url.slice(queryAt) });
      work = logScope ? inLogScope({ requestId }, answer) : answer();
    } catch (error) {
      // A route that throws before it returns a promise is answered as one that rejects.
      work = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    Promise.resolve(work).catch((error: unknown) => {
      if (error instanceof BodyTooLarge) {
        sendJsonText(res, 413, TOO_LARGE);
        return;
      }
      logger.error({ err: error, requestId, clientRequestId }, 'request failed');
      if (!res.headersSent) sendJsonText(res, 500, INTERNAL_ERROR);
      else res.end();
    });
  });
}

/** The answer to a path no route or handler serves. */
export function notFoundRoute(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): void {
  sendJson(res, 404, { error: `No route for ${req.method} ${pathname}` });
}
