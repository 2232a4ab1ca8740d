import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient, type FormattedExecutionResult } from 'graphql-ws';
import { GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import WebSocket from 'ws';
import { DomainError } from './errors';
import { serveGraphQLWs } from './subscriptions';

/* Subscriptions' errors are formatted as HTTP answers' are: a domain answer keeps its code, anything else is withheld. */

const failing = (error: Error) =>
  new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        ticks: {
          type: GraphQLString,
          subscribe: () => Promise.reject(error),
        },
      },
    }),
  });

async function firstResult(error: Error): Promise<FormattedExecutionResult> {
  const server = http.createServer();
  const close = serveGraphQLWs(server, { schema: failing(error) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = createClient({
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
  });
  try {
    const results = client.iterate({ query: 'subscription { ticks }' });
    return (await results.next()).value as FormattedExecutionResult;
  } finally {
    await client.dispose();
    await close();
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('serveGraphQLWs', () => {
  it('withholds a failure that is not a domain answer, as INTERNAL_SERVER_ERROR', async () => {
    const result = await firstResult(new Error('timeout exceeded when trying to connect'));
    expect(result.errors).toEqual([
      expect.objectContaining({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }),
    ]);
  });

  it('passes a domain answer with its code and message', async () => {
    const result = await firstResult(new DomainError('NOT_FOUND', 'Order 1 not found'));
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: 'Order 1 not found',
        extensions: expect.objectContaining({ code: 'NOT_FOUND' }),
      }),
    ]);
  });
});
