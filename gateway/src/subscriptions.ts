import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import {
  execute,
  getArgumentValues,
  getNamedType,
  getVariableValues,
  GraphQLError,
  isCompositeType,
  Kind,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { CloseCode, createClient, type Client } from 'graphql-ws';
import Redis from 'ioredis';
import WebSocket from 'ws';
import {
  identityFromAuthorization,
  redisPrefix,
  redisUrl,
  serveGraphQLWs,
  signSubscription,
  type GraphQLHttp,
  type Logger,
} from '@baedal/platform';
import type { GatewayContext } from './context';
import { eventEntityReads, type Caller } from './eventEntities';
import { SubscriptionSeats } from './subscriptionSeats';

/*
 * The gateway relays subscriptions as Apollo Router and Hive Gateway do: the
 * subgraph that defines the subscription fields serves them (graphql-ws at
 * its /graphql, each subscription signed with the caller's identity), and the
 * gateway relays each event to its client, with the entity fields the client
 * selected under it read through the pipeline (eventEntities.ts).
 * Clients authenticate in connection_init ({ authorization: "Bearer ..." }):
 * none, a bad or an expired token closes with 4401; the socket is closed
 * with 4401 when the token expires. docs/realtime.md.
 */

export interface SubscriptionRelayOptions {
  server: http.Server;
  /** The API schema clients' operations are validated against. */
  api: GraphQLSchema;
  /** The limits every operation meets before any work (operation.ts), subscriptions too. */
  admit: (query: string, variables: unknown) => GraphQLError | null;
  /** The subgraph serving the subscription fields, and its URL (http://.../graphql). */
  subgraph: { name: string; url: string };
  graphql: GraphQLHttp<GatewayContext>;
  /** Most subscriptions one caller may hold across their connections, in every gateway process together. */
  perCaller: number;
  /** Most subscriptions one connection holds at once. */
  perConnection: number;
  log: Logger;
}

/** What upstream is asked for each event: its scalar fields, and each entity's id. */
function upstreamSelection(event: GraphQLObjectType): string {
  return Object.values(event.getFields())
    .map((f: GraphQLField<unknown, unknown>) => (isCompositeType(getNamedType(f.type)) ? `${f.name} { id }` : f.name))
    .join(' ');
}

/** An error as it came over the wire, as the error graphql-ws sends on (it sends GraphQLErrors). */
const asGraphQLError = (e: {
  message: string;
  extensions?: Record<string, unknown>;
  path?: readonly (string | number)[];
}) => new GraphQLError(e.message, { extensions: e.extensions, path: e.path });

const tooMany = (most: number, where: string) =>
  new GraphQLError(`At most ${most} live subscriptions ${where}`, { extensions: { code: 'TOO_MANY_REQUESTS' } });

/** When a token the platform already verified expires, in seconds since the epoch (its `exp` claim). */
function expiryOf(authorization: string): number | null {
  const payload = authorization.replace(/^Bearer\s+/i, '').split('.')[1] ?? '';
  const { exp } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
  return typeof exp === 'number' ? exp : null;
}

export function relaySubscriptions(options: SubscriptionRelayOptions): () => Promise<void> {
  const { api, subgraph, graphql, log } = options;
  const upstream: Client = createClient({
    url: subgraph.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    lazy: true,
    retryAttempts: 5,
  });
  const callers = new Map<string, number>();
  const counts = new Redis(redisUrl(), { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  counts.on('error', () => {}); // it reconnects by itself; meanwhile seats are given (subscriptionSeats.ts)
  const seats = new SubscriptionSeats(counts, redisPrefix(), options.perCaller);
  const entityReader = eventEntityReads(api, graphql);

  async function* relay(args: ExecutionArgs, caller: Caller): AsyncGenerator<ExecutionResult> {
    const operation = args.document.definitions.find(
      (d) => d.kind === Kind.OPERATION_DEFINITION,
    ) as OperationDefinitionNode;
    const root = operation.selectionSet.selections.find((s) => s.kind === Kind.FIELD) as FieldNode;
    const subscriptionType = api.getSubscriptionType()!;
    const field = subscriptionType.getFields()[root.name.value];
    const eventType = getNamedType(field.type) as GraphQLObjectType;
    const variables = (args.variableValues ?? {}) as Record<string, unknown>;
    // The root field's arguments, as upstream takes them (graphql-ws validated the operation and its variables).
    const coerced = getVariableValues(api, operation.variableDefinitions ?? [], variables);
    const upstreamVariables = getArgumentValues(field, root, 'coerced' in coerced ? coerced.coerced : {});
    const upstreamQuery = `subscription Relay(${field.args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ')}) { ${root.name.value}(${field.args.map((a) => `${a.name}: $${a.name}`).join(', ')}) { ${upstreamSelection(eventType)} } }`;
    const subscription = { query: upstreamQuery, variables: upstreamVariables };
    const events = upstream.iterate({
      ...subscription,
      extensions: signSubscription(caller.identity, subgraph.name, subscription),
    });
    const readEntities = entityReader(eventType, root, args.document, variables);
    for await (const result of events) {
      if (result.errors?.length || !result.data) {
        yield { errors: (result.errors ?? [{ message: 'The subscription ended' }]).map(asGraphQLError) };
        return;
      }
      const event = result.data[root.name.value] as Record<string, unknown>;
      let entities: Record<string, unknown>;
      try {
        entities = readEntities ? await readEntities(caller, event) : {};
      } catch (error) {
        const errors = (error as { errors?: { message: string }[] }).errors ?? [error as Error];
        yield { errors: errors.map(asGraphQLError) };
        continue;
      }
      // The client's own selection, over the event and the entities read for it.
      yield await execute({
        schema: api,
        document: args.document,
        variableValues: variables,
        rootValue: { [root.name.value]: { ...event, ...entities } },
        fieldResolver: (source: Record<string, unknown>, _a, _c, info) =>
          info.path.key in source ? source[info.path.key as string] : source[info.fieldName],
      });
    }
  }

  const close = serveGraphQLWs<{ authorization?: unknown; Authorization?: unknown }>(options.server, {
    schema: api,
    // The limits hold here as on every path: a refused subscription is an error before anything is opened.
    onSubscribe: (ctx, _id, payload) => {
      // graphql-ws has already counted this subscription among the connection's.
      if (Object.keys(ctx.subscriptions).length > options.perConnection)
        return [tooMany(options.perConnection, 'on one connection')];
      const refusal = options.admit(payload.query, payload.variables);
      if (!refusal) return undefined;
      const { http: _status, ...extensions } = refusal.extensions; // an HTTP status means nothing here
      return [new GraphQLError(refusal.message, { extensions })];
    },
    onConnect: (ctx) => {
      // Apps send { authorization }; GraphiQL sends its header editor's { Authorization }.
      const params = ctx.connectionParams ?? {};
      const authorization = params.authorization ?? params.Authorization;
      const socket = ctx.extra.socket;
      try {
        if (typeof authorization !== 'string') throw new Error('no token');
        const identity = identityFromAuthorization(authorization);
        if (identity.role === 'ANONYMOUS') throw new Error('no token');
        if (identity.role === 'ADMIN') {
          socket.close(CloseCode.Forbidden, 'Only owners and customers follow orders live');
          return false;
        }
        const exp = expiryOf(authorization);
        // The token's end is the connection's: the client reconnects with a fresh one and `after`.
        if (exp) {
          const timer = setTimeout(() => socket.close(4401, 'Token expired'), exp * 1000 - Date.now());
          socket.once('close', () => clearTimeout(timer));
        }
        (ctx.extra as unknown as { caller: Caller }).caller = { authorization, identity };
        return true;
      } catch {
        socket.close(4401, 'Unauthorized');
        return false;
      }
    },
    subscribe: async (args) => {
      const caller = (args.contextValue as { caller: Caller }).caller;
      const id = caller.identity.userId ?? '';
      // This process's count bounds the caller here even when Redis, which counts every process's, cannot answer.
      const seat = randomUUID();
      if ((callers.get(id) ?? 0) >= options.perCaller || !(await seats.take(id, seat)))
        return { errors: [tooMany(options.perCaller, 'at once')] };
      callers.set(id, (callers.get(id) ?? 0) + 1);
      let released = false;
      // However it ends (the client stops it, upstream ends it, an error), its seat is given back once.
      const release = () => {
        if (released) return;
        released = true;
        const left = (callers.get(id) ?? 1) - 1;
        if (left > 0) callers.set(id, left);
        else callers.delete(id);
        seats.release(seat);
      };
      const events = relay(args, caller);
      const seated = (async function* () {
        try {
          yield* events;
        } finally {
          release();
        }
      })();
      // Stopped before it ever ran, a generator skips its finally.
      const stop = seated.return.bind(seated);
      seated.return = (value) => {
        release();
        return stop(value);
      };
      return seated;
    },
    context: (ctx) => ({ caller: (ctx.extra as unknown as { caller: Caller }).caller }),
  });
  log.info({ subgraph: subgraph.name }, 'relaying subscriptions');
  return async () => {
    await close();
    await upstream.dispose();
    seats.close();
    counts.disconnect();
  };
}
