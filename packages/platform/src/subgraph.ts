import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLError } from 'graphql';
import { port as configuredPort, type ServiceName } from './config';
import { DomainError, formatError } from './errors';
import { answerGatheredCommands, COMMANDS_PATH } from './gatheredCommands';
import { GraphQLHttp } from './graphqlHttp';
import { createHttpServer, notFoundRoute } from './httpServer';
import type { Identity } from './identity';
import { verifyBody, verifyIdentityHeaders } from './signedIdentity';
import { errorBody, sendJson } from './json';
import { createLogger, type Logger } from './logger';
import { boundedLabel, metricsRoute, observeOperation } from './metrics';
import { closeServer, listen } from './processes';
import { serveGraphQLWs, verifySubscription } from './subscriptions';

/** The resolver map buildSubgraphSchema takes (its type is not exported by name). */
type SubgraphModule = Extract<Parameters<typeof buildSubgraphSchema>[0], { typeDefs: unknown }>;
export type SubgraphResolverMap = NonNullable<SubgraphModule['resolvers']>;

/** What every resolver of every subgraph receives. */
export interface SubgraphContext<TLoaders> {
  identity: Identity;
  loaders: TLoaders;
  requestId: string;
  log: Logger;
}

export interface SubgraphOptions<TLoaders> {
  name: ServiceName;
  /** Path of the subgraph's schema.graphql. */
  schemaPath: string;
  /** Its resolvers, typed by the types GraphQL Code Generator writes from its schema.graphql. */
  resolvers: object;
  /** Fresh DataLoaders per request, so batches never mix callers. */
  createLoaders: () => TLoaders;
  /** Throws when the subgraph cannot serve (its database is unreachable). */
  checkReady: () => Promise<void>;
  /** Releases connections on shutdown. */
  close?: () => Promise<void>;
  port?: number;
}

export interface RunningSubgraph {
  url: string;
  server: http.Server;
  stop(): Promise<void>;
}

export function loadTypeDefs(schemaPath: string) {
  return parse(fs.readFileSync(schemaPath, 'utf8'));
}

export async function startSubgraph<TLoaders>(options: SubgraphOptions<TLoaders>): Promise<RunningSubgraph> {
  const log = createLogger(`subgraph-${options.name}`);
  const schema = buildSubgraphSchema({
    typeDefs: loadTypeDefs(options.schemaPath),
    resolvers: options.resolvers as SubgraphResolverMap,
  });
  const operationLabel = boundedLabel();
  const apollo = new ApolloServer<SubgraphContext<TLoaders>>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    // Subgraphs are reached only through the gateway; the landing page lives there.
    introspection: true,
    plugins: [
      ApolloServerPluginInlineTraceDisabled(),
      // No cache hints are used (the gateway's response cache is keyed by operation): skip the per-field hook.
      ApolloServerPluginCacheControlDisabled(),
      {
        // Failures that are not the caller's fault go to the log with the gateway's request id.
        requestDidStart() {
          const startedAt = process.hrtime.bigint();
          return Promise.resolve({
            // Every operation counted by the name the gateway gave its fetch.
            willSendResponse({ operationName, request, response }) {
              const { body, http } = response;
              const ok = (http.status ?? 200) === 200 && !(body.kind === 'single' && body.singleResult.errors);
              observeOperation(operationLabel(operationName ?? request.operationName), ok, startedAt);
              return Promise.resolve();
            },
            didEncounterErrors({ errors, contextValue }) {
              for (const error of errors) {
                if (error.originalError instanceof DomainError) continue;
                const code = error.extensions?.code;
                if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') continue; // the caller's mistake
                contextValue.log.warn({ err: error.originalError ?? error, path: error.path }, 'request failed');
              }
              return Promise.resolve();
            },
          });
        },
      },
    ],
  });
  await apollo.start();

  // A request's identity as its signature was checked before its body was read (a gathered command's own
  // headers are checked in its context), so each signature is computed once.
  const signed = new WeakMap<object, Identity>();
  const graphql = new GraphQLHttp<SubgraphContext<TLoaders>>({
    apollo,
    context: ({ headers, method, body }, requestId) => {
      let identity: Identity;
      try {
        identity = signed.get(headers) ?? verifyIdentityHeaders(headers, { audience: options.name, method });
        verifyBody(headers, body);
      } catch (error) {
        (error as { extensions: Record<string, unknown> }).extensions.http = { status: 401 };
        throw error;
      }
      // The request id is on every line already (httpServer's log scope).
      return Promise.resolve({ identity, loaders: options.createLoaders(), requestId, log });
    },
  });
  const server = createHttpServer({
    logger: log,
    handle: async (req, res, target) => {
      const commands = target.pathname === COMMANDS_PATH && req.method === 'POST';
      if (!commands && target.pathname !== '/graphql') return notFoundRoute(req, res, target.pathname);
      // Only the gateway speaks to a subgraph: its signature is checked before any body is read.
      try {
        signed.set(req.headers, verifyIdentityHeaders(req.headers, { audience: options.name, method: req.method }));
      } catch (error) {
        return sendJson(res, 401, errorBody((error as Error).message, 'UNAUTHENTICATED'));
      }
      if (commands) return answerGatheredCommands(graphql, req, res, log, (body) => verifyBody(req.headers, body));
      return graphql.serve(req, res, target);
    },
    routes: {
      // Subgraphs are reached only inside the cluster (every GraphQL request is signed), so their metrics are here.
      '/metrics': metricsRoute,
      '/healthz': (_req, res) => sendJson(res, 200, { status: 'ok', service: options.name }),
      '/readyz': async (req, res) => {
        try {
          await options.checkReady();
          sendJson(res, 200, { status: 'ready', service: options.name });
        } catch (error) {
          log.warn({ err: error }, 'not ready');
          sendJson(res, 503, { status: 'unavailable', service: options.name, reason: (error as Error).message });
        }
      },
    },
  });
  // Subscription fields (if the schema has any) are served over graphql-ws, to the gateway alone: each
  // subscription carries the gateway's signature over itself.
  // The caller verified when a subscription arrives, for its context (graphql-ws hands both the same payload).
  const callers = new WeakMap<object, Identity>();
  const subscriptions = schema.getSubscriptionType()
    ? serveGraphQLWs(server, {
        schema,
        context: (_ctx, _id, payload) => ({
          identity: callers.get(payload)!,
          loaders: options.createLoaders(),
          requestId: randomUUID(),
          log,
        }),
        onSubscribe: (_ctx, _id, payload) => {
          try {
            callers.set(payload, verifySubscription(options.name, payload));
          } catch (error) {
            return [error as GraphQLError];
          }
        },
      })
    : null;
  await listen(server, options.port ?? configuredPort(options.name));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  log.info({ url }, 'subgraph listening');
  return {
    url,
    server,
    async stop() {
      await subscriptions?.();
      await closeServer(server);
      await apollo.stop();
      await options.close?.();
    },
  };
}
