import fs from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import {
  closeServer,
  createHttpServer,
  createLogger,
  formatError,
  GraphQLHttp,
  identityFromAuthorization,
  listen,
  port as configuredPort,
  redisPrefix,
  redisUrl,
  runUntilStopped,
  subgraphUrl,
  type ServiceName,
} from '@baedal/platform';
import Redis from 'ioredis';
import { SUPERGRAPH_PATH } from './compose';
import { gatewayConfig } from './config';
import type { GatewayContext } from './context';
import { FallbackCache, staleMarkerPlugin } from './fallbackCache';
import { gatewayHandler, type Shortcut } from './http';
import { createResponseCache } from './responseCache';
import { routes } from './routes';
import { singleSubgraphRouter, type SingleSubgraphRouter } from './singleSubgraph';
import { SubgraphDataSource } from './subgraphSource';
import { agent } from './transport';

/*
 * The gateway: one endpoint for the supergraph. Its paths (the query
 * planner, the single-subgraph shortcut, the response cache, the fallback
 * cache) are wired here; each lives in a module of its own.
 */

const log = createLogger('gateway');

/** Sends an operation one subgraph answers alone straight to it (a command once, a read with its kept copy). */
function singleSubgraphShortcut(route: SingleSubgraphRouter, sources: Map<string, SubgraphDataSource>): Shortcut {
  return async (body, rawBody, context) => {
    const request = body as { query?: unknown; variables?: unknown; extensions?: unknown } | null;
    // Persisted queries and other extensions are the pipeline's to read.
    if (typeof request?.query !== 'string' || request.extensions !== undefined) return null;
    const target = route(request.query);
    const source = target && sources.get(target.subgraph);
    if (!target || !source) return null;
    return target.mutation
      ? source.command(rawBody, context)
      : source.forward(rawBody, { query: request.query, variables: request.variables }, context);
  };
}

export async function startGateway(listenPort = configuredPort('gateway')) {
  const settings = gatewayConfig();
  // Fail fast when Redis is down: the in-process tier still answers.
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', (error) => log.debug({ err: error }, 'fallback cache redis error'));
  // A connection of its own: a subscribed Redis connection can do nothing else.
  const changes = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
  changes.on('error', (error) => log.debug({ err: error }, 'query model change feed error'));
  const cache = new FallbackCache({
    redis,
    prefix: redisPrefix(),
    ttlSeconds: settings.BAEDAL_FALLBACK_TTL_SECONDS,
    log,
  });
  const supergraphSdl = fs.readFileSync(SUPERGRAPH_PATH, 'utf8');
  const sources = new Map<string, SubgraphDataSource>();
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name }) => {
      const source = new SubgraphDataSource(name, subgraphUrl(name as ServiceName), cache, log);
      sources.set(name, source);
      return source;
    },
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    // Cache hints are not used: the response cache is keyed by operation and emptied by query-model events.
    plugins: [
      ApolloServerPluginLandingPageLocalDefault({ embed: true, footer: false }),
      ApolloServerPluginCacheControlDisabled(),
      staleMarkerPlugin,
    ],
  });
  await apollo.start();

  const graphql = new GraphQLHttp<GatewayContext>({
    apollo,
    context: (headers, requestId) => {
      try {
        return Promise.resolve({
          identity: identityFromAuthorization(headers.authorization),
          requestId,
          stale: new Map(),
        });
      } catch (error) {
        (error as { extensions: Record<string, unknown> }).extensions.http = { status: 401 };
        throw error;
      }
    },
  });
  const route: SingleSubgraphRouter = settings.BAEDAL_SINGLE_SUBGRAPH_READS
    ? singleSubgraphRouter(supergraphSdl)
    : () => null;
  const handle = gatewayHandler({
    graphql,
    responseCache: createResponseCache(changes),
    shortcut: singleSubgraphShortcut(route, sources),
  });
  const server = createHttpServer({ logger: log, routes, handle });
  await listen(server, listenPort);
  const url = `http://127.0.0.1:${listenPort}/graphql`;
  log.info({ url }, 'gateway listening');
  return {
    url,
    async stop() {
      await closeServer(server);
      await apollo.stop();
      agent.destroy();
      redis.disconnect();
      changes.disconnect();
    },
  };
}

// GATEWAY_WORKERS processes share the port; one per core unless set.
if (require.main === module) runUntilStopped('gateway', () => startGateway(), gatewayConfig().GATEWAY_WORKERS);
