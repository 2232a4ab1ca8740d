import fs from 'node:fs';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { parse } from 'graphql';
import { identityFromAuthorization, identityHeaders, type Identity } from '@baedal/platform';

/*
 * Reference (b): a plain @apollo/gateway with default settings (its default
 * fetcher, no caches, one process) over the same subgraphs, resolving the
 * same data the naive way: the shop's rating comes from reviews and its ad
 * placement from ads at request time, joined per request, instead of from
 * the shops query model. Commands (placeOrder, payOrder, claimCoupon) go
 * through its query planner as any operation does, with the caller's identity
 * passed on as every gateway in front of these subgraphs must.
 */

const root = path.resolve(__dirname, '..', '..', '..');
const services = ['shops', 'ads', 'orders', 'payments', 'reviews'];

function naiveSdl(name: string): string {
  let sdl = fs.readFileSync(path.join(root, 'subgraphs', name, 'schema.graphql'), 'utf8');
  if (name === 'shops') {
    sdl = sdl
      .replace(/\n\s*"Average stars[^\n]*\n\s*rating: Float @shareable( @public)?/, '')
      .replace(/\n\s*reviewCount: Int! @shareable( @public)?/, '')
      .replace(
        /\n\s*"The ad placing[^\n]*\n\s*adPlacement\(area: DeliveryArea!\): AdCampaign @shareable( @public)?/,
        '',
      )
      .replace(
        /"A shop's advertising in one area; the ads subgraph holds the rest of it."\ntype AdCampaign @key\(fields: "id"\) \{[^}]*\}/,
        '',
      )
      .replace(/"What an owner buys[^"]*"\nenum AdProduct \{[^}]*\}/, '');
  }
  return sdl;
}

async function main() {
  const result = composeServices(
    services.map((name) => ({ name, url: process.env[`${name.toUpperCase()}_URL`]!, typeDefs: parse(naiveSdl(name)) })),
  );
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
  const gateway = new ApolloGateway({
    supergraphSdl: result.supergraphSdl,
    // Our subgraphs only answer signed requests; everything else is the default data source.
    buildService: ({ url }) =>
      new (class extends RemoteGraphQLDataSource<{ identity: Identity }> {
        override willSendRequest({
          request,
          context,
        }: Parameters<RemoteGraphQLDataSource<{ identity: Identity }>['willSendRequest'] & object>[0]) {
          for (const [k, v] of Object.entries(identityHeaders(context.identity ?? { userId: null, role: 'ANONYMOUS' })))
            request.http?.headers.set(k, v);
        }
      })({ url }),
  });
  const server = new ApolloServer<{ identity: Identity }>({ gateway });
  await startStandaloneServer(server, {
    listen: { port: Number(process.env.BENCH_PORT), host: '127.0.0.1' },
    context: async ({ req }) => ({ identity: identityFromAuthorization(req.headers.authorization) }),
  });
  process.send?.('ready');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
