import fs from 'node:fs';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { startPlainGateway } from '../support/plainGateway';

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
  await startPlainGateway(result.supergraphSdl, undefined, Number(process.env.BENCH_PORT));
  process.send?.('ready');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
