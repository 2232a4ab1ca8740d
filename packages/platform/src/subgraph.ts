import fs from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { parse } from 'graphql';
import { port as configuredPort, type ServiceName } from './config';
import { DomainError, formatError } from './errors';
import { createHttpServer, closeServer, listen, sendJson, REQUEST_ID_HEADER } from './http';
import { verifyIdentityHeaders, type Identity } from './identity';
import { createLogger, type Logger } from './logger';

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
  resolvers: GraphQLResolverMap<SubgraphContext<TLoaders>>;
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
    resolvers: options.resolvers as GraphQLResolverMap<unknown>,
  });
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
        async requestDidStart() {
          return {
            async didEncounterErrors({ errors, contextValue }) {
              for (const error of errors) {
                if (error.originalError instanceof DomainError) continue;
                const code = error.extensions?.code;
                if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') continue; // the caller's mistake
                contextValue.log.warn({ err: error.originalError ?? error, path: error.path }, 'request failed');
              }
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  const server = createHttpServer<SubgraphContext<TLoaders>>({
    apollo,
    logger: log,
    commands: true,
    context: async (headers, requestId) => {
      let identity: Identity;
      try {
        identity = verifyIdentityHeaders(headers);
      } catch (error) {
        (error as { extensions: Record<string, unknown> }).extensions.http = { status: 401 };
        throw error;
      }
      return { identity, loaders: options.createLoaders(), requestId, log: log.child({ requestId }) };
    },
    routes: {
      '/healthz': (_req, res) => sendJson(res, 200, { status: 'ok', service: options.name }),
      '/readyz': async (req, res) => {
        try {
          await options.checkReady();
          sendJson(res, 200, { status: 'ready', service: options.name });
        } catch (error) {
          log.warn({ err: error, requestId: req.headers[REQUEST_ID_HEADER] }, 'not ready');
          sendJson(res, 503, { status: 'unavailable', service: options.name, reason: (error as Error).message });
        }
      },
    },
  });
  await listen(server, options.port ?? configuredPort(options.name));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  log.info({ url }, 'subgraph listening');
  return {
    url,
    server,
    async stop() {
      await closeServer(server);
      await apollo.stop();
      await options.close?.();
    },
  };
}
