import fs from 'node:fs';
import http from 'node:http';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import {
  SERVICES,
  createHttpServer,
  closeServer,
  createLogger,
  formatError,
  identityFromAuthorization,
  identityHeaders,
  listen,
  port as configuredPort,
  sendJson,
  stopOnSignals,
  subgraphUrl,
  REQUEST_ID_HEADER,
  type Identity,
  type ServiceName,
} from '@baedal/platform';
import fetch from 'node-fetch';
import { SUPERGRAPH_PATH } from './compose';

export interface GatewayContext {
  identity: Identity;
  requestId: string;
}

const log = createLogger('gateway');

// One keep-alive pool for all subgraph calls: the default client opened a
// connection per request and spent about half the gateway's CPU doing so.
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** Forwards the caller's identity, signed, and the request id to every subgraph. */
class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const gatewayContext = context as Partial<GatewayContext>;
    // Requests without a caller (none today) go out as anonymous.
    const identity = gatewayContext.identity ?? { userId: null, role: 'ANONYMOUS' };
    for (const [name, value] of Object.entries(identityHeaders(identity))) request.http?.headers.set(name, value);
    if (gatewayContext.requestId) request.http?.headers.set(REQUEST_ID_HEADER, gatewayContext.requestId);
  }
}

async function subgraphReady(name: ServiceName): Promise<{ name: string; ready: boolean; detail?: string }> {
  const url = subgraphUrl(name).replace(/\/graphql$/, '/readyz');
  try {
    const response = await fetch(url, { agent, timeout: 1000 });
    return { name, ready: response.ok, ...(response.ok ? {} : { detail: `HTTP ${response.status}` }) };
  } catch (error) {
    return { name, ready: false, detail: (error as Error).message };
  }
}

export async function startGateway(listenPort = configuredPort('gateway')) {
  const gateway = new ApolloGateway({
    supergraphSdl: fs.readFileSync(SUPERGRAPH_PATH, 'utf8'),
    buildService: ({ name }) =>
      new SubgraphDataSource({
        url: subgraphUrl(name as ServiceName),
        fetcher: ((url: string, init: Record<string, unknown>) => fetch(url, { ...init, agent })) as never,
      }),
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    plugins: [ApolloServerPluginLandingPageLocalDefault({ embed: true, footer: false })],
  });
  await apollo.start();

  const server = createHttpServer<GatewayContext>({
    apollo,
    logger: log,
    context: async (req, requestId) => {
      try {
        return { identity: identityFromAuthorization(req.headers.authorization), requestId };
      } catch (error) {
        (error as { extensions: Record<string, unknown> }).extensions.http = { status: 401 };
        throw error;
      }
    },
    routes: {
      '/healthz': (_req, res) => sendJson(res, 200, { status: 'ok' }),
      '/readyz': async (_req, res) => {
        const subgraphs = await Promise.all(SERVICES.map(subgraphReady));
        const ready = subgraphs.every((s) => s.ready);
        sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'degraded', subgraphs });
      },
    },
  });
  await listen(server, listenPort);
  const url = `http://127.0.0.1:${listenPort}/graphql`;
  log.info({ url }, 'gateway listening');
  return {
    url,
    async stop() {
      await closeServer(server);
      await apollo.stop();
      agent.destroy();
    },
  };
}

if (require.main === module) {
  startGateway().then(
    (running) => stopOnSignals(log, running.stop),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
