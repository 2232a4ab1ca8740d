import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import {
  ANONYMOUS,
  IDENTITY_HEADERS,
  identityFromAuthorization,
  identityHeaders,
  type Identity,
} from '@baedal/platform';

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
          const identity = context.identity ?? ANONYMOUS;
          request.http?.headers.set(IDENTITY_HEADERS.user, identity.userId ?? '');
          request.http?.headers.set(IDENTITY_HEADERS.role, identity.role);
        }
      })({
        url: urlOf(name, url),
        // Signed where the body is final: the signature covers it.
        fetcher: ((input: string, init: { method?: string; headers: Record<string, string>; body: string }) => {
          const role = init.headers[IDENTITY_HEADERS.role] as Identity['role'] | undefined;
          const identity = role ? { userId: init.headers[IDENTITY_HEADERS.user] || null, role } : ANONYMOUS;
          const signed = identityHeaders(identity, { audience: name, method: init.method, body: init.body });
          return fetch(input, { ...init, headers: { ...init.headers, ...signed } });
        }) as never,
      }),
  });
  const server = new ApolloServer<{ identity: Identity }>({ gateway });
  const { url } = await startStandaloneServer(server, {
    listen: { port, host: '127.0.0.1' },
    context: ({ req }) => Promise.resolve({ identity: identityFromAuthorization(req.headers.authorization) }),
  });
  return { url, stop: () => server.stop() };
}
