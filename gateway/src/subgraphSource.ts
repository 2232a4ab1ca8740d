import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import {
  ANONYMOUS,
  batchedWrites,
  COMMANDS_PATH,
  gatheredCommandsBody,
  IDENTITY_HEADERS,
  identityHeaders,
  MAX_GATHERED_COMMANDS,
  readCommandAnswers,
  REQUEST_ID_HEADER,
  type CallAnswer,
  type CommandAnswer,
  type GatheredCommand,
  type Identity,
  type Logger,
} from '@baedal/platform';
import type { GatewayContext } from './context';
import { withStaleMarker, type FallbackCache } from './fallbackCache';
import { gatheredCommands, singleSubgraphCommands, singleSubgraphReads } from './metrics';
import {
  answerFailure,
  guardSettings,
  statusFailure,
  SubgraphFailure,
  unavailable,
  type GuardSettings,
} from './resilience';
import { SubgraphGuard, type Guarded } from './subgraphGuard';
import { fetchWithin, sendWithin, TIMEOUT_HEADER, type SubgraphRequest } from './transport';

/** The gateway's decisions a subgraph's calls follow (operation.ts, resilience.ts). */
export interface SubgraphPolicy {
  /** Whether a fetch's answer is the same for every caller (sharing.ts): kept once, not per caller. */
  fetchIsShared(query: string): boolean;
  /** Error codes that are domain answers; any other error is a failure of the subgraph. */
  allowedCodes: ReadonlySet<string>;
}

/** Who the planner's fetch is for, named by willSendRequest for the fetcher to sign. */
const CALLER_USER = IDENTITY_HEADERS.user;
const CALLER_ROLE = IDENTITY_HEADERS.role;
function callerIn(headers: Record<string, string>): Identity {
  const role = headers[CALLER_ROLE] as Identity['role'] | undefined;
  return role ? { userId: headers[CALLER_USER] || null, role } : ANONYMOUS;
}

function isMutation(query: string): boolean {
  return /^\s*mutation\b/.test(query);
}

/** The subgraph has no gathered-commands endpoint (a 404): nothing ran, so the pipeline may send the command. */
class CommandsNotSpoken extends Error {}

/**
 * One subgraph as the gateway sees it, on every path (the query planner's
 * fetches, single-subgraph reads and commands): forwards the caller's
 * identity (signed) and the request id; calls under a timeout and a circuit
 * breaker; keeps each good query answer in the fallback cache and answers
 * from it when the subgraph fails. Mutations are never kept: they fail with
 * SERVICE_UNAVAILABLE.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly guard: SubgraphGuard;
  private readonly settings: GuardSettings;
  /** Commands that arrive together go in one request (COMMANDS_PATH); a failed one is never sent again. */
  private readonly sendCommand: (command: GatheredCommand) => Promise<CommandAnswer>;
  /** False once the subgraph answered 404 to gathered commands: its commands go through the pipeline. */
  private speaksGatheredCommands = true;

  constructor(
    private readonly subgraph: string,
    url: string,
    private readonly cache: FallbackCache,
    private readonly policy: SubgraphPolicy,
    ownSettings: Record<string, number | string | undefined>,
    private readonly log: Logger,
  ) {
    const settings = guardSettings(subgraph, ownSettings);
    super({
      url,
      // The planner's fetch is signed here, where its body is final (willSendRequest names the caller).
      fetcher: ((input: string, init: SubgraphRequest) =>
        fetchWithin(
          subgraph,
          input,
          {
            ...init,
            headers: { ...init.headers, ...identityHeaders(callerIn(init.headers), { audience: subgraph, ...init }) },
          },
          Number(init.headers[TIMEOUT_HEADER]) || settings.timeoutMs,
        )) as never,
    });
    this.settings = settings;
    this.guard = new SubgraphGuard(subgraph, settings, cache, log);
    const commandsUrl = new URL(COMMANDS_PATH, url).toString();
    this.sendCommand = batchedWrites(
      (commands: readonly GatheredCommand[]) => this.sendCommands(commandsUrl, commands),
      {
        maxBatch: MAX_GATHERED_COMMANDS,
        retryAlone: false,
      },
    );
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const gatewayContext = context as Partial<GatewayContext>;
    // Requests without a caller (health probes) go out as anonymous.
    const identity = gatewayContext.identity ?? ANONYMOUS;
    request.http?.headers.set(CALLER_USER, identity.userId ?? '');
    request.http?.headers.set(CALLER_ROLE, identity.role);
    if (gatewayContext.requestId) request.http?.headers.set(REQUEST_ID_HEADER, gatewayContext.requestId);
    if (isMutation(request.query ?? ''))
      request.http?.headers.set(TIMEOUT_HEADER, String(this.settings.mutationTimeoutMs));
  }

  /** Whose the kept copy is: null when shared by every caller, the caller otherwise. */
  private callerOf(shared: boolean, identity: Identity | undefined): string | null {
    return shared ? null : `${identity?.role ?? 'ANONYMOUS'}:${identity?.userId ?? ''}`;
  }

  private failureOf(errors: readonly { extensions?: { code?: unknown } }[] | undefined) {
    return answerFailure(this.subgraph, errors, this.policy.allowedCodes);
  }

  /** The query planner's fetch. */
  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const subgraph = this.subgraph;
    const context = options.context as Partial<GatewayContext>;
    const query = options.request.query ?? '';
    const key = isMutation(query)
      ? null
      : this.cache.key(
          subgraph,
          query,
          options.request.variables,
          this.callerOf(this.policy.fetchIsShared(query), context.identity),
        );
    const outcome = await this.guard.guarded(context, key, async () => {
      const answer = await super.process(options);
      const failure = this.failureOf(answer.errors);
      if (failure) throw failure;
      return answer;
    });
    if ('kept' in outcome) {
      if (outcome.kept) return outcome.kept.response as GatewayGraphQLResponse;
      throw unavailable(subgraph);
    }
    if (key && !outcome.answer.errors?.length) this.cache.store(key, outcome.answer);
    return outcome.answer;
  }

  /** The headers a client's request goes to the subgraph with: its identity, signed for this body, and request id. */
  private headersFor(context: GatewayContext, body: string): Record<string, string> {
    return {
      'content-type': 'application/json',
      [REQUEST_ID_HEADER]: context.requestId,
      ...identityHeaders(context.identity, { audience: this.subgraph, body }),
    };
  }

  /** A client's request body, sent as it came with the caller's identity; a 5xx answer is a failure of the subgraph. */
  private async post(rawBody: string, context: GatewayContext, timeoutMs: number): Promise<CallAnswer> {
    const answer = await sendWithin(
      this.subgraph,
      this.url,
      { headers: this.headersFor(context, rawBody), body: rawBody },
      timeoutMs,
    );
    const failure = statusFailure(this.subgraph, answer.status);
    if (failure) throw failure;
    return answer;
  }

  /** Commands that arrived together, in one request (the gathered-commands protocol); each answer is its own command's. */
  private async sendCommands(url: string, commands: readonly GatheredCommand[]): Promise<CommandAnswer[]> {
    const subgraph = this.subgraph;
    gatheredCommands.observe({ subgraph }, commands.length);
    const body = gatheredCommandsBody(commands);
    const reply = await sendWithin(
      subgraph,
      url,
      // The message is the gateway's own (each command inside carries its caller's signed identity).
      {
        headers: { 'content-type': 'application/json', ...identityHeaders(ANONYMOUS, { audience: subgraph, body }) },
        body,
      },
      this.settings.mutationTimeoutMs,
    );
    if (reply.status === 404) {
      this.speaksGatheredCommands = false;
      throw new CommandsNotSpoken(`${subgraph} has no ${COMMANDS_PATH}`);
    }
    const answers = readCommandAnswers(reply.status, reply.text, commands.length);
    if (typeof answers !== 'string') return answers;
    throw (
      statusFailure(subgraph, reply.status) ?? new SubgraphFailure(subgraph, 'unavailable', `${subgraph} ${answers}`)
    );
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
    shared: boolean,
    context: GatewayContext,
  ): Promise<string | null> {
    const subgraph = this.subgraph;
    const key = this.cache.key(subgraph, request.query, request.variables, this.callerOf(shared, context.identity));
    let outcome: Guarded<string | null>;
    try {
      outcome = await this.guard.guarded(context, key, async () => {
        const { status, text } = await this.post(rawBody, context, this.settings.timeoutMs);
        // Refused before it ran (a 4xx: bad variables): the pipeline words the refusal.
        if (status < 200 || status >= 300) return null;
        // Most answers carry no errors; only those that might are parsed (a shop's text may say anything).
        if (text.includes('"errors"')) {
          const { errors } = JSON.parse(text) as { errors?: { extensions?: { code?: unknown } }[] };
          const failure = this.failureOf(errors);
          if (failure) throw failure;
          if (errors?.length) return null;
        }
        return text;
      });
    } catch {
      outcome = { kept: null };
    }
    if ('answer' in outcome && outcome.answer !== null) {
      this.cache.store(key, outcome.answer);
      singleSubgraphReads.inc({ subgraph, result: 'answered' });
      return outcome.answer;
    }
    const kept = 'kept' in outcome ? outcome.kept?.response : undefined;
    if (typeof kept !== 'string') {
      singleSubgraphReads.inc({ subgraph, result: 'pipeline' });
      return null;
    }
    singleSubgraphReads.inc({ subgraph, result: 'stale' });
    return withStaleMarker(kept, context.stale);
  }

  /**
   * A command this subgraph alone answers (singleSubgraph.ts), sent once as it
   * came, in one request with the commands for this subgraph that arrived with
   * it. It is never handed to the pipeline afterwards, which would run it a
   * second time, except when the subgraph refused it before running it (an
   * HTTP 4xx: bad variables), where null lets the pipeline word the refusal,
   * and when the subgraph has no gathered-commands endpoint (a 404: nothing
   * ran; a subgraph Baedal did not build), whose commands the pipeline sends.
   * Errors are passed on as the pipeline passes a subgraph's errors, naming
   * the service; a subgraph that cannot be asked is SERVICE_UNAVAILABLE.
   */
  async command(rawBody: string, context: GatewayContext): Promise<string | null> {
    const subgraph = this.subgraph;
    if (!this.speaksGatheredCommands) return null;
    let outcome: Guarded<string | null>;
    try {
      outcome = await this.guard.guarded(context, null, async () => {
        const { status, body: text } = await this.sendCommand({
          headers: this.headersFor(context, rawBody),
          body: rawBody,
        });
        const failed = statusFailure(subgraph, status);
        if (failed) throw failed;
        if (status >= 400) return null;
        if (!text.includes('"errors"')) return text;
        const reply = JSON.parse(text) as { data?: unknown; errors?: { extensions?: Record<string, unknown> }[] };
        const failure = this.failureOf(reply.errors);
        if (failure) throw failure;
        if (!reply.errors?.length) return text;
        const errors = reply.errors.map((e) => ({ ...e, extensions: { ...e.extensions, serviceName: subgraph } }));
        return JSON.stringify({ ...reply, errors });
      });
    } catch (unexpected) {
      if (unexpected instanceof CommandsNotSpoken) return null;
      this.log.error({ err: unexpected, subgraph, requestId: context.requestId }, 'command failed');
      outcome = { kept: null };
    }
    if ('answer' in outcome) {
      singleSubgraphCommands.inc({ subgraph, result: outcome.answer === null ? 'pipeline' : 'answered' });
      return outcome.answer;
    }
    singleSubgraphCommands.inc({ subgraph, result: 'unavailable' });
    return JSON.stringify({ errors: [unavailable(subgraph).toJSON()], data: null });
  }
}
