import {
  getNamedType,
  getNullableType,
  isObjectType,
  Kind,
  print,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { GraphQLHttp, Identity } from '@baedal/platform';
import type { GatewayContext } from './context';

/*
 * A subscription's client may select, under an event, an entity's fields
 * from any subgraph (an order's shop name, say). For each event the gateway
 * reads that entity again through its own pipeline, with the caller's
 * identity, by the root query field that returns the entity by its id.
 */

/** Who a subscription is for: the token as given, and the identity it carries. */
export interface Caller {
  authorization: string;
  identity: Identity;
}

export type EntityReader = (caller: Caller, event: Record<string, unknown>) => Promise<Record<string, unknown>>;

/** The root query field that returns one `type` by `id` alone (order(id:), say), if the API schema has one. */
function readerOf(api: GraphQLSchema, type: GraphQLObjectType): string | null {
  const fields = Object.values(api.getQueryType()?.getFields() ?? {});
  return (
    fields.find((f) => getNullableType(f.type) === type && f.args.length === 1 && f.args[0].name === 'id')?.name ?? null
  );
}

/** The entity readers of one gateway process, built over its API schema and pipeline. */
export function eventEntityReads(api: GraphQLSchema, graphql: GraphQLHttp<GatewayContext>) {
  /*
   * Reads in flight, by caller, event and query: an owner's devices (each a
   * subscription) hear the same event at once, and share one read of it. The
   * key names the caller, so an answer is never shared with another.
   */
  const reading = new Map<string, Promise<Record<string, unknown>>>();

  /**
   * How a subscription reads, for each event, the entity fields its client
   * selected: one query through the pipeline, built once per subscription
   * (only the entities' ids change from event to event), or null when it
   * selected none.
   */
  return function entityReader(
    eventType: GraphQLObjectType,
    root: FieldNode,
    document: DocumentNode,
    variables: Record<string, unknown>,
  ): EntityReader | null {
    const reads: { field: string; variable: string; text: string }[] = [];
    for (const selection of root.selectionSet?.selections ?? []) {
      if (selection.kind !== Kind.FIELD || !selection.selectionSet) continue;
      const field = eventType.getFields()[selection.name.value];
      const type = field && getNamedType(field.type);
      const reader = type && isObjectType(type) ? readerOf(api, type) : null;
      if (!reader) continue;
      const key = selection.alias?.value ?? selection.name.value;
      const text = `${key}: ${reader}(id: $__${key}) ${print(selection.selectionSet)}`;
      reads.push({ field: selection.name.value, variable: `__${key}`, text });
    }
    if (!reads.length) return null;
    const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
    const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => print(d));
    // The client's variables these selections use (the subscription's own arguments are not among them).
    const used = `${reads.map((r) => r.text).join(' ')} ${fragments.join(' ')}`;
    const definitions = [
      ...reads.map((r) => `$${r.variable}: ID!`),
      ...(operation.variableDefinitions ?? [])
        .filter((d) => new RegExp(`\\$${d.variable.name.value}\\b`).test(used))
        .map((d) => print(d)),
    ];
    const query = `query EventEntities(${definitions.join(', ')}) { ${reads.map((r) => r.text).join(' ')} } ${fragments.join(' ')}`;

    return (caller, event) => {
      const values = { ...variables };
      for (const read of reads) values[read.variable] = (event[read.field] as { id?: string } | null)?.id ?? null;
      const body = JSON.stringify({ query, variables: values });
      const { role, userId } = caller.identity;
      const key = `${role}:${userId ?? ''}:${String(event.eventId)}:${body}`;
      let answer = reading.get(key);
      if (!answer) {
        answer = read(caller, body, values).finally(() => reading.delete(key));
        reading.set(key, answer);
      }
      return answer;
    };

    async function read(caller: Caller, body: string, values: Record<string, unknown>) {
      const headers = { authorization: caller.authorization, 'content-type': 'application/json' };
      const made = await graphql.contextFor({ headers, method: 'POST', body, remoteAddress: '' }, 'subscription');
      if (!('context' in made)) throw new Error(made.body);
      const answer = await graphql.answerText(
        await graphql.execute('POST', headers, '', { query, variables: values }, made.context),
      );
      const parsed = JSON.parse(answer.body) as ExecutionResult;
      if (parsed.errors?.length) throw Object.assign(new Error(parsed.errors[0].message), { errors: parsed.errors });
      return parsed.data ?? {};
    }
  };
}
