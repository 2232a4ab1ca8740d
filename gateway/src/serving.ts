import type http from 'node:http';
import cors from 'cors';
import {
  closeServer,
  createHttpServer,
  listen,
  notFoundRoute,
  type Logger,
  type RequestTarget,
} from '@baedal/platform';
import { gatewayRoutes, type SubgraphEndpoint } from './routes';

/*
 * Where the gateway listens. The public port answers GraphQL (with CORS for
 * the origins the settings allow) and says whether it is ready; it makes its
 * own request ids, keeping a client's apart. The internal port serves the
 * metrics and which subgraph is not ready, for the cluster alone.
 */

export interface GatewayPorts {
  public: number;
  internal: number;
  /** Browser origins allowed to call the gateway (BAEDAL_CORS_ORIGINS); none by default. */
  corsOrigins: string[];
}

export async function serveGateway(
  handle: (req: http.IncomingMessage, res: http.ServerResponse, target: RequestTarget) => Promise<void>,
  endpoints: readonly SubgraphEndpoint[],
  ports: GatewayPorts,
  logger: Logger,
): Promise<{ server: http.Server; stop(): Promise<void> }> {
  const routes = gatewayRoutes(endpoints);
  const allowed = cors({
    origin: ports.corsOrigins,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['authorization', 'content-type', 'x-request-id', 'apollo-require-preflight'],
    exposedHeaders: ['x-request-id', 'retry-after'],
    maxAge: 600,
  });
  // Answers differ by origin only when some origin is allowed.
  const varies = ports.corsOrigins.length > 0;
  const server = createHttpServer({
    logger,
    routes: routes.public,
    trustRequestId: false,
    // Its lines name their request themselves; a log scope would tax every promise (httpServer.ts).
    logScope: false,
    handle: (req, res, target) => {
      // Only browsers send an Origin: other callers need none of CORS's work, on the hottest path.
      if (req.headers.origin === undefined) {
        if (varies) res.setHeader('vary', 'Origin');
        return handle(req, res, target);
      }
      // The cors middleware answers a preflight itself (then the request is done when its answer is);
      // any other request goes on with its headers set.
      return new Promise<void>((resolve, reject) => {
        res.once('close', () => resolve());
        allowed(req, res, () => handle(req, res, target).then(resolve, reject));
      });
    },
  });
  const internal = createHttpServer({
    logger,
    routes: routes.internal,
    logScope: false,
    handle: (req, res, target) => Promise.resolve(notFoundRoute(req, res, target.pathname)),
  });
  await listen(server, ports.public);
  await listen(internal, ports.internal);
  return {
    server,
    async stop() {
      await Promise.all([closeServer(server), closeServer(internal)]);
    },
  };
}
