import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { BaseContext } from '@apollo/server';
import type { GraphQLHttp, TextAnswer } from './graphqlHttp';
import { REQUEST_ID_HEADER } from './httpServer';
import { errorBody, INTERNAL_ERROR, readBody, sendJson } from './json';
import { inLogScope, type Logger } from './logger';

/*
 * Gathered commands, both sides of the protocol. The gateway gathers the
 * commands that arrive together for one subgraph (batchedWrites) and sends
 * them as one message to COMMANDS_PATH, paying a request's fixed price (two
 * sends on loopback, parsing, waking both ends) once for all. Each command
 * keeps its own headers (its caller's signed identity, its request id), so
 * its own context, and gets its own answer, status included. docs/adr/ has
 * the decision (0004).
 */

/** Where a subgraph takes several callers' commands in one request. */
export const COMMANDS_PATH = '/graphql/commands';
/** Most commands in one such request. */
export const MAX_GATHERED_COMMANDS = 32;

/** One command in a COMMANDS_PATH request: the headers and body it would have had alone. */
export interface GatheredCommand {
  headers: Record<string, string>;
  body: string;
}

/** A gathered command's answer: the status and body it would have had alone. */
export type CommandAnswer = TextAnswer;

// ---- the gateway's side ----

/** The body of a request carrying `commands`. */
export function gatheredCommandsBody(commands: readonly GatheredCommand[]): string {
  return JSON.stringify({ commands });
}

/** Each command's answer from the subgraph's reply, or why the reply is not one (then none was answered). */
export function readCommandAnswers(status: number, text: string, sent: number): CommandAnswer[] | string {
  if (status !== 200) return `answered ${status} to gathered commands`;
  let answers: CommandAnswer[] | undefined;
  try {
    answers = (JSON.parse(text) as { answers?: CommandAnswer[] }).answers;
  } catch {
    return 'answered gathered commands with text that is not JSON';
  }
  return answers?.length === sent ? answers : `answered ${answers?.length ?? 'no'} of ${sent} gathered commands`;
}

// ---- the subgraph's side ----

/** One gathered command, answered as it would have been alone. */
async function answerCommand<TContext extends BaseContext>(
  graphql: GraphQLHttp<TContext>,
  command: GatheredCommand,
): Promise<CommandAnswer> {
  if (Buffer.byteLength(command.body) > graphql.maxBodyBytes)
    return {
      status: 413,
      body: JSON.stringify(errorBody(`A command may have at most ${graphql.maxBodyBytes} bytes`, 'PAYLOAD_TOO_LARGE')),
    };
  const parsed = graphql.parse(command.body);
  if (!('json' in parsed)) return parsed;
  const headers = command.headers as http.IncomingHttpHeaders;
  const caller = await graphql.contextFor(
    { headers, method: 'POST', body: command.body, remoteAddress: '' },
    command.headers[REQUEST_ID_HEADER] ?? randomUUID(),
  );
  if (!('context' in caller)) return caller;
  return graphql.answerText(await graphql.execute('POST', headers, '', parsed.json, caller.context));
}

function isGathered(commands: unknown): commands is GatheredCommand[] {
  return (
    Array.isArray(commands) &&
    commands.length <= MAX_GATHERED_COMMANDS &&
    commands.every(
      (c: Partial<GatheredCommand> | null) =>
        typeof c?.body === 'string' && typeof c.headers === 'object' && c.headers !== null,
    )
  );
}

/** Serves COMMANDS_PATH: every command at once, as separate requests would run, each answered on its own. */
export async function answerGatheredCommands<TContext extends BaseContext>(
  graphql: GraphQLHttp<TContext>,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  logger: Logger,
  /** Refuses a body the request's headers were not signed for (a GraphQLError). */
  checkBody: (body: string) => void,
): Promise<void> {
  const rawBody = await readBody(req, graphql.maxBodyBytes * MAX_GATHERED_COMMANDS);
  try {
    checkBody(rawBody);
  } catch (error) {
    return sendJson(res, 401, errorBody((error as Error).message, 'UNAUTHENTICATED'));
  }
  let commands: unknown;
  try {
    commands = (JSON.parse(rawBody) as { commands?: unknown }).commands;
  } catch {
    commands = undefined;
  }
  if (!isGathered(commands)) {
    const message = `The body must be { commands: [{ headers, body }] }, at most ${MAX_GATHERED_COMMANDS}`;
    return sendJson(res, 400, errorBody(message, 'BAD_REQUEST'));
  }
  // All at once: their writes go together (batchedWrites). A command that fails unexpectedly fails alone,
  // as it would have alone: the others may have run.
  const answers = await Promise.all(
    commands.map((command) =>
      // Each command's lines (and the events it writes) carry its own request's id.
      inLogScope({ requestId: command.headers[REQUEST_ID_HEADER] }, () =>
        answerCommand(graphql, command).catch((error: unknown) => {
          logger.error({ err: error }, 'command failed');
          return { status: 500, body: INTERNAL_ERROR };
        }),
      ),
    ),
  );
  sendJson(res, 200, { answers });
}
