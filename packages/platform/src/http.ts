import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { Logger } from './logger';

export type Route = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> | void;

/** Answers a request before the GraphQL pipeline runs, and learns answers after it. */
export interface ResponseCache {
  /** The cached answer, or (for a request another one is already computing) a promise of it; null to compute. */
  lookup(req: http.IncomingMessage, rawBody: string): Buffer | Promise<Buffer | null> | null;
  store(req: http.IncomingMessage, rawBody: string, status: number, body: string): void;
}

export interface HttpAppOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  /** Builds the per-request context from its headers; a GraphQLError thrown here is answered as a GraphQL error. */
  context: (headers: http.IncomingHttpHeaders, requestId: string) => Promise<TContext>;
  /** Extra GET routes by exact path, e.g. /healthz. */
  routes?: Record<string, Route>;
  logger: Logger;
  graphqlPath?: string;
  maxBodyBytes?: number;
  responseCache?: ResponseCache;
  /**
   * Answers a JSON POST without the GraphQL pipeline where it can (the gateway's
   * single-subgraph reads): the answer's JSON text, or null to run the pipeline.
   */
  shortcut?: (body: unknown, rawBody: string, context: TContext) => Promise<string | null>;
  /** Serves COMMANDS_PATH: several callers' commands in one request (subgraphs, for the gateway). */
  commands?: boolean;
}

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * Where a subgraph takes several callers' commands in one request: the
 * gateway gathers the commands that arrive together for one subgraph
 * (batchedWrites) and sends them as one message, paying a request's fixed
 * price (two sends on loopback, parsing, waking both ends) once for all.
 * Each command keeps its own headers (its caller's signed identity, its
 * request id), so its own context, and gets its own answer, status included.
 */
export const COMMANDS_PATH = '/graphql/commands';
/** Most commands in one such request. */
export const MAX_GATHERED_COMMANDS = 32;

/** One command in a COMMANDS_PATH request: the headers and body it would have had alone. */
export interface GatheredCommand {
  headers: Record<string, string>;
  body: string;
}

/** A gathered command's answer: the status and body it would have had alone. */
export interface CommandAnswer {
  status: number;
  body: string;
}

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  sendJsonText(res, status, JSON.stringify(body));
}

/** JSON already written as text (an answer as it came from a subgraph or a cache). */
function sendJsonText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** A GraphQL-shaped error answer with its stable code. */
function errorBody(message: string, code: 'BAD_REQUEST' | 'INTERNAL_SERVER_ERROR') {
  return { errors: [{ message, extensions: { code } }] };
}
const NOT_JSON = JSON.stringify(errorBody('The request body is not valid JSON', 'BAD_REQUEST'));
const INTERNAL_ERROR = JSON.stringify(errorBody('Internal server error', 'INTERNAL_SERVER_ERROR'));

function graphqlErrorBody(error: GraphQLError) {
  const { http: _http, ...extensions } = (error.extensions ?? {}) as Record<string, unknown>;
  return { errors: [{ message: error.message, extensions }] };
}

/**
 * Serves an Apollo Server on plain node:http. Apollo documents this
 * integration shape (executeHTTPGraphQLRequest); it avoids a web framework on
 * the hot path and keeps health routes beside /graphql.
 */
export function createHttpServer<TContext extends BaseContext>(options: HttpAppOptions<TContext>): http.Server {
  const { apollo, logger } = options;
  const graphqlPath = options.graphqlPath ?? '/graphql';
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const routes = options.routes ?? {};

  /** The caller's context, or the error answer that refuses the request (a GraphQLError from `options.context`). */
  const contextFor = async (
    headers: http.IncomingHttpHeaders,
    requestId: string,
  ): Promise<{ context: TContext } | CommandAnswer> => {
    try {
      return { context: await options.context(headers, requestId) };
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      return {
        status: (error.extensions?.http as { status?: number } | undefined)?.status ?? 400,
        body: JSON.stringify(graphqlErrorBody(error)),
      };
    }
  };

  const execute = (
    method: string,
    headers: http.IncomingHttpHeaders,
    search: string,
    body: unknown,
    context: TContext,
  ) => {
    const headerMap = new HeaderMap();
    for (const [key, value] of Object.entries(headers)) {
      if (value !== undefined) headerMap.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    return apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method, headers: headerMap, search, body },
      context: async () => context,
    });
  };

  /** One gathered command, answered as it would have been alone. */
  const answerCommand = async (command: GatheredCommand): Promise<CommandAnswer> => {
    let body: unknown;
    try {
      body = JSON.parse(command.body);
    } catch {
      return { status: 400, body: NOT_JSON };
    }
    const headers = command.headers as http.IncomingHttpHeaders;
    const caller = await contextFor(headers, command.headers[REQUEST_ID_HEADER] ?? randomUUID());
    if (!('context' in caller)) return caller;
    const response = await execute('POST', headers, '', body, caller.context);
    let text = '';
    if (response.body.kind === 'complete') text = response.body.string;
    else for await (const chunk of response.body.asyncIterator) text += chunk;
    return { status: response.status ?? 200, body: text };
  };

  const answerCommands = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const rawBody = await readBody(req, maxBodyBytes * MAX_GATHERED_COMMANDS);
    let commands: unknown;
    try {
      commands = (JSON.parse(rawBody) as { commands?: unknown }).commands;
    } catch {
      commands = undefined;
    }
    const valid =
      Array.isArray(commands) &&
      commands.length <= MAX_GATHERED_COMMANDS &&
      commands.every((c) => typeof c?.body === 'string' && typeof c.headers === 'object' && c.headers !== null);
    if (!valid) {
      sendJson(
        res,
        400,
        errorBody(
          `The body must be { commands: [{ headers, body }] }, at most ${MAX_GATHERED_COMMANDS}`,
          'BAD_REQUEST',
        ),
      );
      return;
    }
    // All at once, as separate requests would run: their writes go together (batchedWrites). A command
    // that fails unexpectedly fails alone, as it would have alone: the others may have run.
    const answers = await Promise.all(
      (commands as GatheredCommand[]).map((command) =>
        answerCommand(command).catch((error: unknown) => {
          logger.error({ err: error, requestId: command.headers[REQUEST_ID_HEADER] }, 'command failed');
          return { status: 500, body: INTERNAL_ERROR };
        }),
      ),
    );
    sendJson(res, 200, { answers });
  };

  return http.createServer(async (req, res) => {
    // A request target is a path and a query; splitting it is all routing needs (no URL object per request).
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const url =
      queryAt < 0
        ? { pathname: target, search: '' }
        : { pathname: target.slice(0, queryAt), search: target.slice(queryAt) };
    const requestId = (req.headers[REQUEST_ID_HEADER] as string | undefined) ?? randomUUID();
    res.setHeader(REQUEST_ID_HEADER, requestId);
    try {
      const route = routes[url.pathname];
      if (route && (req.method === 'GET' || req.method === 'HEAD')) {
        await route(req, res);
        return;
      }
      if (options.commands && url.pathname === COMMANDS_PATH && req.method === 'POST') {
        await answerCommands(req, res);
        return;
      }
      if (url.pathname !== graphqlPath) {
        sendJson(res, 404, { error: `No route for ${req.method} ${url.pathname}` });
        return;
      }
      const rawBody = req.method === 'POST' ? await readBody(req, maxBodyBytes) : '';
      const found = req.method === 'POST' ? options.responseCache?.lookup(req, rawBody) : null;
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
      let body: unknown = undefined;
      if (rawBody) {
        try {
          body = JSON.parse(rawBody);
        } catch {
          sendJsonText(res, 400, NOT_JSON);
          return;
        }
      }
      const caller = await contextFor(req.headers, requestId);
      if (!('context' in caller)) {
        sendJsonText(res, caller.status, caller.body);
        return;
      }
      const { context } = caller;
      if (options.shortcut && req.method === 'POST' && /^application\/json/i.test(req.headers['content-type'] ?? '')) {
        const answer = await options.shortcut(body, rawBody, context);
        if (answer !== null) {
          sendJsonText(res, 200, answer);
          options.responseCache?.store(req, rawBody, 200, answer);
          return;
        }
      }
      const response = await execute(req.method ?? 'GET', req.headers, url.search, body, context);
      for (const [key, value] of response.headers) res.setHeader(key, value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === 'complete') {
        res.end(response.body.string);
        if (req.method === 'POST') options.responseCache?.store(req, rawBody, res.statusCode, response.body.string);
        return;
      }
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        sendJson(res, 413, errorBody('Request body is too large', 'BAD_REQUEST'));
        return;
      }
      logger.error({ err: error, requestId }, 'request failed');
      if (!res.headersSent) sendJsonText(res, 500, INTERNAL_ERROR);
      else res.end();
    }
  });
}

export function listen(server: http.Server, port: number, host = '127.0.0.1'): Promise<void> {
  // Keep idle keep-alive connections longer than clients do: a server closing one just as the
  // gateway reuses it makes "socket hang up" under load.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections?.();
  });
}

/** Runs `stop` once on SIGINT or SIGTERM, then exits. */
export function stopOnSignals(logger: Logger, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    stop()
      .then(() => process.exit(0))
      .catch((error) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}
