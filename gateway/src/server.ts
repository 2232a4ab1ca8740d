import fs from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import {
  SERVICES,
  COMMANDS_PATH,
  MAX_GATHERED_COMMANDS,
  CallFailure,
  batchedWrites,
  callWithin,
  createHttpServer,
  closeServer,
  createLogger,
  formatError,
  keepAliveAgent,
  identityFromAuthorization,
  identityHeaders,
  listen,
  port as configuredPort,
  processCount,
  runUntilStopped,
  redisPrefix,
  redisUrl,
  sendJson,
  subgraphUrl,
  REQUEST_ID_HEADER,
  type CallAnswer,
  type CommandAnswer,
  type GatheredCommand,
  type GuardedCall,
  type Identity,
  type ServiceName,
} from '@baedal/platform';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import Redis from 'ioredis';
import fetch, { Response } from 'node-fetch';
import { SUPERGRAPH_PATH } from './compose';
import { FallbackCache, staleExtension, withStaleMarker, type FallbackEntry } from './fallbackCache';
import {
  fallbackLookups,
  gatheredCommands,
  registry,
  singleSubgraphCommands,
  singleSubgraphReads,
  subgraphErrors,
  subgraphLatency,
  subgraphRequests,
} from './metrics';
import { isCallerSpecific, isMutation } from './privacy';
import { createResponseCache } from './responseCache';
import { singleSubgraphRouter } from './singleSubgraph';
import {
  asFailure,
  createBreaker,
  databaseFailure,
  guardSettings,
  statusFailure,
  SubgraphFailure,
  unavailable,
  type GuardSettings,
} from './resilience';

export interface GatewayContext {
  identity: Identity;
  requestId: string;
  /** Subgraphs answered from the fallback cache in this request, with the age of their data in seconds. */
  stale: Map<string, number>;
}

const log = createLogger('gateway');

// One keep-alive pool for all subgraph calls: the default client opened a
// connection per request and spent about half the gateway's CPU doing so.
const agent = keepAliveAgent();

/** Set on a subgraph request by willSendRequest, read by the fetcher: how long to wait for this request. */
const TIMEOUT_HEADER = 'x-baedal-timeout-ms';

/** Every subgraph call: callWithin over the shared pool; no answer in time is a SubgraphFailure. */
async function sendWithin(
  subgraph: string,
  url: string,
  init: { method?: string; headers: Record<string, string>; body: string },
  timeoutMs: number,
): Promise<CallAnswer> {
  try {
    return await callWithin(url, { ...init, timeoutMs, agent });
  } catch (error) {
    if (!(error instanceof CallFailure)) throw error;
    throw new SubgraphFailure(
      subgraph,
      error.kind,
      error.kind === 'timeout' ? `${subgraph} timed out` : `${subgraph}: ${error.message}`,
    );
  }
}

/** sendWithin as the fetcher Apollo's data source expects: a fetch Response with the headers it reads. */
async function fetchWithin(
  subgraph: string,
  url: string,
  init: { method?: string; headers: Record<string, string>; body: string },
  timeoutMs: number,
) {
  const answer = await sendWithin(subgraph, url, init, timeoutMs);
  const headers: Record<string, string> = {};
  for (const name of ['content-type', 'cache-control']) {
    const value = answer.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return new Response(answer.text, { status: answer.status, headers });
}

/**
 * One subgraph as the gateway sees it: forwards the caller's identity (signed)
 * and the request id; fetches under a timeout and a circuit breaker; keeps
 * each good query answer in the fallback cache and answers from it when the
 * subgraph fails. Mutations are never cached: they fail with SERVICE_UNAVAILABLE.
 */
class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly breaker: GuardedCall;
  private readonly settings: GuardSettings;
  /** Commands that arrive together go in one request (COMMANDS_PATH); a failed one is never sent again. */
  private readonly sendCommand: (command: GatheredCommand) => Promise<CommandAnswer>;

  constructor(
    private readonly subgraph: string,
    url: string,
    private readonly cache: FallbackCache,
  ) {
    const settings = guardSettings(subgraph);
    super({
      url,
      fetcher: ((input: string, init: { method?: string; headers: Record<string, string>; body: string }) =>
        fetchWithin(subgraph, input, init, Number(init.headers[TIMEOUT_HEADER]) || settings.timeoutMs)) as never,
    });
    this.settings = settings;
    this.breaker = createBreaker(subgraph, settings, log);
    const commandsUrl = new URL(COMMANDS_PATH, url).toString();
    this.sendCommand = batchedWrites(
      (commands: readonly GatheredCommand[]) => this.sendCommands(commandsUrl, commands),
      { maxBatch: MAX_GATHERED_COMMANDS, retryAlone: false },
    );
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const gatewayContext = context as Partial<GatewayContext>;
    // Requests without a caller (health probes) go out as anonymous.
    const identity = gatewayContext.identity ?? { userId: null, role: 'ANONYMOUS' };
    for (const [name, value] of Object.entries(identityHeaders(identity))) request.http?.headers.set(name, value);
    if (gatewayContext.requestId) request.http?.headers.set(REQUEST_ID_HEADER, gatewayContext.requestId);
    if (isMutation(request.query ?? ''))
      request.http?.headers.set(TIMEOUT_HEADER, String(this.settings.mutationTimeoutMs));
  }

  private callerOf(query: string, identity: Identity | undefined): string | null {
    return isCallerSpecific(query) ? `${identity?.role ?? 'ANONYMOUS'}:${identity?.userId ?? ''}` : null;
  }

  /**
   * After a failed fetch: counts and logs the failure and looks for the kept
   * copy (noting its age in `context.stale`). Rethrows anything that is not a
   * failure of the subgraph.
   */
  private async recover(
    error: unknown,
    key: string | null,
    context: Partial<GatewayContext>,
  ): Promise<FallbackEntry | null> {
    const subgraph = this.subgraph;
    const failure = asFailure(subgraph, error);
    if (!failure) throw error;
    subgraphRequests.inc({ subgraph, outcome: failure.kind === 'breaker_open' ? 'rejected' : 'error' });
    // While the breaker is open every request is refused at once: counted, not logged (the breaker logs opening and closing).
    if (failure.kind !== 'breaker_open') {
      subgraphErrors.inc({ subgraph, kind: failure.kind });
      log.warn({ subgraph, kind: failure.kind, requestId: context.requestId }, failure.message);
    }
    if (!key) return null;
    const entry = await this.cache.lookup(key);
    fallbackLookups.inc({ subgraph, result: entry ? 'hit' : 'miss' });
    if (entry) {
      const age = Math.round((Date.now() - entry.storedAt) / 1000);
      context.stale?.set(subgraph, Math.max(age, context.stale.get(subgraph) ?? 0));
    }
    return entry;
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const subgraph = this.subgraph;
    const context = options.context as Partial<GatewayContext>;
    const query = options.request.query ?? '';
    const key = isMutation(query)
      ? null
      : this.cache.key(subgraph, query, options.request.variables, this.callerOf(query, context.identity));
    const endTimer = subgraphLatency.startTimer({ subgraph });
    try {
      const response = (await this.breaker.fire(async () => {
        const answer = await super.process(options);
        const failure = databaseFailure(subgraph, answer.errors);
        if (failure) throw failure;
        return answer;
      })) as GatewayGraphQLResponse;
      subgraphRequests.inc({ subgraph, outcome: 'ok' });
      if (key && !response.errors?.length) this.cache.store(key, response);
      return response;
    } catch (error) {
      const entry = await this.recover(error, key, context);
      if (entry) return entry.response as GatewayGraphQLResponse;
      throw unavailable(subgraph);
    } finally {
      endTimer();
    }
  }

  /** The headers a client's request goes to the subgraph with: its signed identity and request id. */
  private headersFor(context: GatewayContext): Record<string, string> {
    return {
      'content-type': 'application/json',
      [REQUEST_ID_HEADER]: context.requestId,
      ...identityHeaders(context.identity),
    };
  }

  /** A client's request body, sent as it came with the caller's identity; a 5xx answer is a failure of the subgraph. */
  private async post(rawBody: string, context: GatewayContext, timeoutMs: number): Promise<CallAnswer> {
    const answer = await sendWithin(
      this.subgraph,
      this.url!,
      { headers: this.headersFor(context), body: rawBody },
      timeoutMs,
    );
    const failure = statusFailure(this.subgraph, answer.status);
    if (failure) throw failure;
    return answer;
  }

  /** Commands that arrived together, in one request; each answer is its own command's (status and body). */
  private async sendCommands(url: string, commands: readonly GatheredCommand[]): Promise<CommandAnswer[]> {
    const subgraph = this.subgraph;
    gatheredCommands.observe({ subgraph }, commands.length);
    const answer = await sendWithin(
      subgraph,
      url,
      { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ commands }) },
      this.settings.mutationTimeoutMs,
    );
    if (answer.status !== 200)
      throw (
        statusFailure(subgraph, answer.status) ??
        new SubgraphFailure(subgraph, 'unavailable', `${subgraph} answered ${answer.status} to gathered commands`)
      );
    const { answers } = JSON.parse(answer.text) as { answers?: CommandAnswer[] };
    if (answers?.length !== commands.length)
      throw new SubgraphFailure(
        subgraph,
        'unavailable',
        `${subgraph} answered ${answers?.length ?? 'no'} of ${commands.length} gathered commands`,
      );
    return answers;
  }

  /**
   * A client's query that this subgraph alone answers (singleSubgraph.ts):
   * sent as it came, answered with the subgraph's text as it came, and kept
   * for emergencies under the query sent, as the pipeline keeps its fetches.
   * Null leaves the request to the pipeline: an answer with errors (the
   * pipeline words errors), or a failure with no kept copy.
   */
  async forward(
    rawBody: string,
    request: { query: string; variables?: unknown },
    context: GatewayContext,
  ): Promise<string | null> {
    const subgraph = this.subgraph;
    const key = this.cache.key(
      subgraph,
      request.query,
      request.variables,
      this.callerOf(request.query, context.identity),
    );
    const endTimer = subgraphLatency.startTimer({ subgraph });
    try {
      const answer = (await this.breaker.fire(async () => {
        const { status, text } = await this.post(rawBody, context, this.settings.timeoutMs);
        // Most answers carry no errors; only those that might are parsed (a shop's text may say anything).
        if (text.includes('"errors"')) {
          const { errors } = JSON.parse(text) as { errors?: { extensions?: { code?: unknown } }[] };
          const failure = databaseFailure(subgraph, errors);
          if (failure) throw failure;
          if (errors?.length) return null;
        }
        return status >= 200 && status < 300 ? text : null;
      })) as string | null;
      subgraphRequests.inc({ subgraph, outcome: 'ok' });
      if (answer === null) {
        singleSubgraphReads.inc({ subgraph, result: 'pipeline' });
        return null;
      }
      this.cache.store(key, answer);
      singleSubgraphReads.inc({ subgraph, result: 'answered' });
      return answer;
    } catch (error) {
      const entry = await this.recover(error, key, context).catch(() => null);
      if (typeof entry?.response !== 'string') {
        singleSubgraphReads.inc({ subgraph, result: 'pipeline' });
        return null;
      }
      singleSubgraphReads.inc({ subgraph, result: 'stale' });
      return withStaleMarker(entry.response, context.stale);
    } finally {
      endTimer();
    }
  }

  /**
   * A command this subgraph alone answers (singleSubgraph.ts), sent once as it
   * came, in one request with the commands for this subgraph that arrived with
   * it. It is never handed to the pipeline afterwards, which would run it a
   * second time, except when the subgraph refused it before running it (an
   * HTTP 4xx: bad variables), where null lets the pipeline word the refusal.
   * Errors are passed on as the pipeline passes a subgraph's errors, naming
   * the service; a subgraph that cannot be asked is SERVICE_UNAVAILABLE.
   */
  async command(rawBody: string, context: GatewayContext): Promise<string | null> {
    const subgraph = this.subgraph;
    const endTimer = subgraphLatency.startTimer({ subgraph });
    try {
      const answer = (await this.breaker.fire(async () => {
        const { status, body: text } = await this.sendCommand({ headers: this.headersFor(context), body: rawBody });
        const failed = statusFailure(subgraph, status);
        if (failed) throw failed;
        if (status >= 400) return null;
        if (!text.includes('"errors"')) return text;
        const reply = JSON.parse(text) as { data?: unknown; errors?: { extensions?: Record<string, unknown> }[] };
        const failure = databaseFailure(subgraph, reply.errors);
        if (failure) throw failure;
        if (!reply.errors?.length) return text;
        return JSON.stringify({
          ...reply,
          errors: reply.errors.map((e) => ({ ...e, extensions: { ...e.extensions, serviceName: subgraph } })),
        });
      })) as string | null;
      subgraphRequests.inc({ subgraph, outcome: 'ok' });
      singleSubgraphCommands.inc({ subgraph, result: answer === null ? 'pipeline' : 'answered' });
      return answer;
    } catch (error) {
      await this.recover(error, null, context).catch((unexpected) =>
        log.error({ err: unexpected, subgraph, requestId: context.requestId }, 'command failed'),
      );
      singleSubgraphCommands.inc({ subgraph, result: 'unavailable' });
      return JSON.stringify({ errors: [unavailable(subgraph).toJSON()], data: null });
    } finally {
      endTimer();
    }
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

const staleMarker: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        if (!contextValue.stale.size || response.body.kind !== 'single') return;
        response.body.singleResult.extensions = {
          ...response.body.singleResult.extensions,
          ...staleExtension(contextValue.stale),
        };
      },
    };
  },
};

export async function startGateway(listenPort = configuredPort('gateway')) {
  // Fail fast when Redis is down: the in-process tier still answers.
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', (error) => log.debug({ err: error }, 'fallback cache redis error'));
  // A connection of its own: a subscribed Redis connection can do nothing else.
  const changes = new Redis(redisUrl(), { maxRetriesPerRequest: 1 });
  changes.on('error', (error) => log.debug({ err: error }, 'query model change feed error'));
  const cache = new FallbackCache({
    redis,
    prefix: redisPrefix(),
    ttlSeconds: Number(process.env.BAEDAL_FALLBACK_TTL_SECONDS ?? 24 * 3600),
    log,
  });
  const supergraphSdl = fs.readFileSync(SUPERGRAPH_PATH, 'utf8');
  const sources = new Map<string, SubgraphDataSource>();
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name }) => {
      const source = new SubgraphDataSource(name, subgraphUrl(name as ServiceName), cache);
      sources.set(name, source);
      return source;
    },
  });
  // BAEDAL_SINGLE_SUBGRAPH_READS=0 sends every operation through the query planner.
  const route = process.env.BAEDAL_SINGLE_SUBGRAPH_READS === '0' ? () => null : singleSubgraphRouter(supergraphSdl);
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    // Cache hints are not used: the response cache is keyed by operation and emptied by query-model events.
    plugins: [
      ApolloServerPluginLandingPageLocalDefault({ embed: true, footer: false }),
      ApolloServerPluginCacheControlDisabled(),
      staleMarker,
    ],
  });
  await apollo.start();

  const server = createHttpServer<GatewayContext>({
    apollo,
    logger: log,
    responseCache: createResponseCache(changes),
    shortcut: async (body, rawBody, context) => {
      const request = body as { query?: unknown; variables?: unknown; extensions?: unknown } | null;
      // Persisted queries and other extensions are the pipeline's to read.
      if (typeof request?.query !== 'string' || request.extensions !== undefined) return null;
      const target = route(request.query);
      const source = target && sources.get(target.subgraph);
      if (!target || !source) return null;
      return target.mutation
        ? source.command(rawBody, context)
        : source.forward(rawBody, { query: request.query, variables: request.variables }, context);
    },
    context: async (headers, requestId) => {
      try {
        return { identity: identityFromAuthorization(headers.authorization), requestId, stale: new Map() };
      } catch (error) {
        (error as { extensions: Record<string, unknown> }).extensions.http = { status: 401 };
        throw error;
      }
    },
    routes: {
      '/healthz': (_req, res) => sendJson(res, 200, { status: 'ok' }),
      '/metrics': async (_req, res) => {
        const body = await registry.metrics();
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(body);
      },
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
      redis.disconnect();
      changes.disconnect();
    },
  };
}

// GATEWAY_WORKERS processes share the port; one per core unless set.
if (require.main === module) runUntilStopped('gateway', () => startGateway(), processCount('GATEWAY_WORKERS'));
