// First, so tracing (when OTEL_EXPORTER_OTLP_ENDPOINT is set) sees every module it instruments load.
import '@baedal/platform/tracing';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import {
  createLogger,
  formatError,
  GraphQLHttp,
  identityFromAuthorization,
  port as configuredPort,
  redisPrefix,
  redisUrl,
  runUntilStopped,
} from '@baedal/platform';
import Redis from 'ioredis';
import { SUPERGRAPH_PATH } from './compose';
import { gatewayConfig, namesIn, subgraphSettingName, subgraphSettings } from './config';
import type { GatewayContext } from './context';
import { FallbackCache, staleMarkerPlugin } from './fallbackCache';
import { gatewayHandler, type Shortcut } from './http';
import { limitsPlugin, operationModel } from './operation';
import { loadTrustedDocuments, TieredCache, TRUSTED_DOCUMENTS_PATH } from './persistedOperations';
import { clientAddress, gatewayRateLimit } from './rateLimits';
import { createResponseCache } from './responseCache';
import { relaySubscriptions } from './subscriptions';
import { serveGateway } from './serving';
import { AUTH_PATHS, sessionRoutes } from './auth';
import { loadPlayground, playgroundOptions } from './playground/page';
import { SubgraphDataSource } from './subgraphSource';
import { agent } from './transport';

/*
 * The gateway: one endpoint for the supergraph. Its paths (the query
 * planner, the single-subgraph shortcut, the response cache, the fallback
 * cache) are wired here; each lives in a module of its own.
 */

const log = createLogger('gateway');

/** Sends an operation one subgraph answers alone straight to it (a command once, a read with its kept copy). */
function singleSubgraphShortcut(sources: Map<string, SubgraphDataSource>): Shortcut {
  return (decision, request, rawBody, context) => {
    const source = decision.route && sources.get(decision.route.subgraph);
    if (!decision.route || !source) return Promise.resolve(null);
    return decision.route.mutation
      ? source.command(rawBody, context)
      : source.forward(rawBody, request, decision.shared, context);
  };
}

export async function startGateway(listenPort = configuredPort('gateway')) {
  const settings = gatewayConfig();
  // Fail fast when Redis is down: the in-process tier still answers.
  const redis = new Redis(settings.BAEDAL_FALLBACK_REDIS_URL ?? redisUrl(), {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
  });
  redis.on('error', (error) => log.debug({ err: error }, 'fallback cache redis error'));
  // A connection of its own: a subscribed Redis connection can do nothing else.
  const changes = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
  changes.on('error', (error) => log.debug({ err: error }, 'query model change feed error'));
  const supergraphSdl = fs.readFileSync(settings.BAEDAL_SUPERGRAPH_PATH ?? SUPERGRAPH_PATH, 'utf8');
  const operations = operationModel(supergraphSdl, {
    shortcut: settings.BAEDAL_SINGLE_SUBGRAPH_READS,
    limits: settings.BAEDAL_LIMITS
      ? {
          tokens: settings.BAEDAL_LIMIT_TOKENS,
          depth: settings.BAEDAL_LIMIT_DEPTH,
          aliases: settings.BAEDAL_LIMIT_ALIASES,
          rootFields: settings.BAEDAL_LIMIT_ROOT_FIELDS,
          cost: settings.BAEDAL_LIMIT_COST,
        }
      : null,
  });
  // The subgraphs are the supergraph's (join__graph), each URL overridable by <NAME>_URL.
  const names = [...operations.supergraph.subgraphs()].map((subgraph) => subgraph.name);
  const own = subgraphSettings(names);
  const endpoints = [...operations.supergraph.subgraphs()].map(({ name, url }) => ({
    name,
    url: (own[subgraphSettingName(name, 'URL')] as string | undefined) ?? url,
  }));
  const cache = new FallbackCache({
    redis,
    prefix: redisPrefix(),
    ttlSeconds: settings.BAEDAL_FALLBACK_TTL_SECONDS,
    callerTtlSeconds: settings.BAEDAL_FALLBACK_CALLER_TTL_SECONDS,
    maxEntries: settings.BAEDAL_FALLBACK_MAX_ENTRIES,
    maxBytes: settings.BAEDAL_FALLBACK_MAX_BYTES,
    log,
  });
  const policy = {
    fetchIsShared: (query: string) => operations.sharing.fetchIsShared(query),
    allowedCodes: new Set(settings.BAEDAL_DOMAIN_ERROR_CODES.split(',').map((code) => code.trim())),
  };
  const sources = new Map<string, SubgraphDataSource>();
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name }) => {
      const url = endpoints.find((endpoint) => endpoint.name === name)?.url;
      if (!url) throw new Error(`the supergraph names no URL for ${name}`);
      const source = new SubgraphDataSource(name, url, cache, policy, own, log);
      sources.set(name, source);
      return source;
    },
  });
  const addressOf = clientAddress(namesIn(settings.BAEDAL_TRUSTED_PROXIES));
  const limits = gatewayRateLimit(settings, log);
  const trusted = settings.BAEDAL_TRUSTED_DOCUMENTS
    ? loadTrustedDocuments(settings.BAEDAL_TRUSTED_DOCUMENTS_PATH ?? TRUSTED_DOCUMENTS_PATH)
    : undefined;
  if (trusted) log.info({ operations: trusted.size }, 'trusted documents: only registered operations run');
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: settings.BAEDAL_INTROSPECTION,
    // Operations sent by hash: registered ones alone in trusted-documents mode, else APQs shared through Redis.
    persistedQueries: {
      cache: trusted?.cache ?? new TieredCache(redis, redisPrefix()),
      ttl: settings.BAEDAL_PERSISTED_QUERY_TTL_SECONDS,
    },
    // Cache hints are not used: the response cache is keyed by operation and emptied by query-model events.
    plugins: [
      // The playground is Baedal's own (playground/page.ts), served from installed assets.
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      staleMarkerPlugin,
      limitsPlugin(operations, limits.rateLimit),
    ],
  });
  await apollo.start();

  const graphql = new GraphQLHttp<GatewayContext>({
    apollo,
    context: ({ headers, remoteAddress }, requestId) => {
      try {
        return Promise.resolve({
          identity: identityFromAuthorization(headers.authorization),
          requestId,
          clientIp: addressOf(headers, remoteAddress),
          stale: new Map(),
          admitted: false,
        });
      } catch (error) {
        (error as { extensions: Record<string, unknown> }).extensions.http = { status: 401 };
        throw error;
      }
    },
  });
  const handle = gatewayHandler({
    graphql,
    operations,
    responseCache: createResponseCache(changes, {
      ttlMs: settings.BAEDAL_RESPONSE_CACHE_TTL_MS,
      schemaHash: createHash('sha256').update(supergraphSdl).digest('base64url'),
    }),
    shortcut: singleSubgraphShortcut(sources),
    checkCaller: (headers) => void identityFromAuthorization(headers.authorization),
    documentRoots: new Set(namesIn(settings.BAEDAL_RESPONSE_CACHE_DOCUMENT_ROOTS)),
    rateLimit: limits.rateLimit,
    trusted,
  });
  const sessions = sessionRoutes();
  const playground = settings.BAEDAL_PLAYGROUND ? loadPlayground(playgroundOptions(settings)) : undefined;
  const serving = await serveGateway(
    (req, res, target) => {
      if (AUTH_PATHS.includes(target.pathname)) return sessions.handle(req, res, target.pathname);
      if (playground?.serves(req, target.pathname)) return playground.serve(req, res, target.pathname);
      return handle(req, res, target);
    },
    endpoints,
    {
      public: listenPort,
      internal: settings.GATEWAY_INTERNAL_PORT,
      corsOrigins: namesIn(settings.BAEDAL_CORS_ORIGINS),
    },
    log,
  );
  // Subscriptions: relayed to the subgraph that defines them, if the supergraph has any (subscriptions.ts).
  const live = [...operations.supergraph.subgraphs()].find((s) => s.schema.schemaDefinition.root('subscription'));
  const stopRelay = live
    ? relaySubscriptions({
        server: serving.server,
        api: operations.api,
        admit: (query, variables) => {
          const decided = operations.decide(query);
          if (!decided) return null; // not GraphQL: graphql-ws's own validation words it
          return 'document' in decided ? operations.admit(decided, variables) : decided.refusal;
        },
        subgraph: { name: live.name, url: endpoints.find((e) => e.name === live.name)?.url ?? live.url },
        graphql,
        perCaller: settings.BAEDAL_SUBSCRIPTIONS_PER_CALLER,
        perConnection: settings.BAEDAL_SUBSCRIPTIONS_PER_CONNECTION,
        log,
      })
    : null;
  const url = `http://127.0.0.1:${listenPort}/graphql`;
  log.info({ url, internalPort: settings.GATEWAY_INTERNAL_PORT }, 'gateway listening');
  return {
    url,
    async stop() {
      await stopRelay?.();
      await serving.stop();
      await apollo.stop();
      agent.destroy();
      redis.disconnect();
      changes.disconnect();
      limits.close();
      sessions.close();
    },
  };
}

// GATEWAY_WORKERS processes share the port; one per core unless set.
if (require.main === module) runUntilStopped('gateway', () => startGateway(), gatewayConfig().GATEWAY_WORKERS);
