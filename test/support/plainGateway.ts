import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { identityFromAuthorization, identityHeaders, type Identity } from '@baedal/platform';

/**
 * The standard path: a plain @apollo/gateway with default settings over a
 * supergraph, passing the caller's identity on signed, as every gateway in
 * front of Baedal's subgraphs must (other subgraphs ignore the headers).
 * `urlOf` overrides a subgraph's URL from the supergraph.
 */
export async function startPlainGateway(
  supergraphSdl: string,
  urlOf: (name: string, url: string | undefined) => string | undefined = (_, url) => url,
  port = 0,
): Promise<{ url: string; stop(): Promise<void> }> {
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) =>
      new (class extends RemoteGraphQLDataSource<{ identity: Identity }> {
        override willSendRequest({
          request,
          context,
        }: Parameters<RemoteGraphQLDataSource<{ identity: Identity }>['willSendRequest'] & object>[0]) {
          const identity = context.identity ?? { userId: null, role: 'ANONYMOUS' };
          for (const [k, v] of Object.entries(identityHeaders(identity))) request.http?.headers.set(k, v);
        }
      })({ url: urlOf(name, url) }),
  });
  const server = new ApolloServer<{ identity: Identity }>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port, host: '127.0.0.1' },
    context: ({ req }) => Promise.resolve({ identity: identityFromAuthorization(req.headers.authorization) }),
  });
  return { url, stop: () => server.stop() };
}
