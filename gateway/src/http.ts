import type http from 'node:http';
import type { RequestTarget } from '@baedal/platform';
import { GraphQLHttp, notFoundRoute, sendJsonText } from '@baedal/platform';
import type { GatewayContext } from './context';
import type { ResponseCache } from './responseCache';

/** Answers a parsed JSON POST without the pipeline where it can (single-subgraph paths): its JSON text, or null. */
export type Shortcut = (body: unknown, rawBody: string, context: GatewayContext) => Promise<string | null>;

export interface GatewayHttpOptions {
  graphql: GraphQLHttp<GatewayContext>;
  responseCache?: ResponseCache;
  shortcut: Shortcut;
}

/**
 * How the gateway answers /graphql: the GraphQL-over-HTTP steps every server
 * takes (platform's GraphQLHttp), with the gateway's own paths between them.
 * The response cache answers before anything is parsed and learns every
 * answer after; the shortcut answers what one subgraph answers alone, after
 * the caller is known, before the query planner.
 */
export function gatewayHandler({ graphql, responseCache, shortcut }: GatewayHttpOptions) {
  return async (req: http.IncomingMessage, res: http.ServerResponse, target: RequestTarget): Promise<void> => {
    if (target.pathname !== '/graphql') return notFoundRoute(req, res, target.pathname);
    const rawBody = await graphql.rawBody(req);
    const found = req.method === 'POST' ? responseCache?.lookup(req, rawBody) : null;
    // Most hits are answered in this turn; only a request waiting for a twin's answer awaits.
    const cached = found instanceof Promise ? await found : found;
    if (cached) {
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': cached.length,
        'x-cache': 'hit',
      });
      res.end(cached);
      return;
    }
    const parsed = graphql.parse(rawBody);
    if (!('json' in parsed)) return sendJsonText(res, parsed.status, parsed.body);
    const caller = await graphql.contextFor(req.headers, target.requestId);
    if (!('context' in caller)) return sendJsonText(res, caller.status, caller.body);
    if (req.method === 'POST' && /^application\/json/i.test(req.headers['content-type'] ?? '')) {
      const answer = await shortcut(parsed.json, rawBody, caller.context);
      if (answer !== null) {
        sendJsonText(res, 200, answer);
        responseCache?.store(req, rawBody, 200, answer);
        return;
      }
    }
    const response = await graphql.execute(
      req.method ?? 'GET',
      req.headers,
      target.search,
      parsed.json,
      caller.context,
    );
    const text = await graphql.send(res, response);
    if (text !== null && req.method === 'POST') responseCache?.store(req, rawBody, res.statusCode, text);
  };
}
