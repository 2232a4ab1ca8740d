import {
  buildSchema,
  Kind,
  parse,
  type FieldNode,
  type GraphQLObjectType,
  type OperationDefinitionNode,
} from 'graphql';
import type { GraphQLHttp } from '@baedal/platform';
import type { GatewayContext } from './context';
import { eventEntityReads, type Caller } from './eventEntities';

/* Reads of events' entities: shared by one caller's subscriptions, never across callers. */

const api = buildSchema(`
  type Order { id: ID! total: Int! }
  type OrderEvent { eventId: ID! order: Order! }
  type Query { order(id: ID!): Order }
  type Subscription { orderUpdates: OrderEvent! }
`);
const document = parse('subscription { orderUpdates { eventId order { total } } }');
const root = (document.definitions[0] as OperationDefinitionNode).selectionSet.selections[0] as FieldNode;
const eventType = api.getType('OrderEvent') as GraphQLObjectType;

/** A pipeline that answers every read after `ms`, counting reads and who asked. */
function pipeline(ms: number) {
  const seen = { reads: 0, callers: [] as string[] };
  const graphql = {
    contextFor: (request: { headers: Record<string, string> }) => {
      seen.callers.push(request.headers.authorization);
      return Promise.resolve({ context: {} });
    },
    execute: async () => {
      seen.reads++;
      await new Promise((resolve) => setTimeout(resolve, ms));
      return {};
    },
    answerText: () => Promise.resolve({ body: JSON.stringify({ data: { order: { total: 15000 } } }) }),
  } as unknown as GraphQLHttp<GatewayContext>;
  return { graphql, seen };
}

const caller = (userId: string): Caller => ({
  authorization: `Bearer ${userId}`,
  identity: { userId, role: 'OWNER' },
});
const event = (n: number) => ({ eventId: `e${n}`, order: { id: `o${n}` } });

describe('eventEntityReads', () => {
  it("shares one read of an event among a caller's subscriptions, and not with another caller", async () => {
    const { graphql, seen } = pipeline(5);
    const reader = eventEntityReads(api, graphql)(eventType, root, document, {})!;
    const answers = await Promise.all([
      reader(caller('a'), event(1)),
      reader(caller('a'), event(1)),
      reader(caller('a'), event(1)),
      reader(caller('b'), event(1)),
    ]);
    expect(answers).toEqual(Array(4).fill({ order: { total: 15000 } }));
    expect(seen.reads).toBe(2);
    expect(seen.callers.sort()).toEqual(['Bearer a', 'Bearer b']);
  });

  it('reads nothing when the client selected no entity fields', () => {
    const plain = parse('subscription { orderUpdates { eventId } }');
    const field = (plain.definitions[0] as OperationDefinitionNode).selectionSet.selections[0];
    expect(field.kind).toBe(Kind.FIELD);
    expect(eventEntityReads(api, pipeline(0).graphql)(eventType, field as FieldNode, plain, {})).toBeNull();
  });
});
