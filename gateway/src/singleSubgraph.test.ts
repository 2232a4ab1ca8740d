import fs from 'node:fs';
import path from 'node:path';
import { singleSubgraphRouter } from './singleSubgraph';

const route = singleSubgraphRouter(fs.readFileSync(path.join(__dirname, '..', 'supergraph.graphql'), 'utf8'));

describe('singleSubgraphRouter', () => {
  it('sends a read whose every field is one subgraph’s own to that subgraph', () => {
    expect(route('query($id: ID!) { shop(id: $id) { id name rating reviewCount menu { name items { name price } } } }')).toBe('shops');
    expect(route('query($a: DeliveryArea!) { shops(area: $a, first: 20) { edges { node { id name adPlacement(area: $a) { product } } } } }')).toBe('shops');
    expect(route('query D($id: ID!) { shop(id: $id) { ...F } } fragment F on Shop { id deliveryFee }')).toBe('shops');
    expect(route('query($id: ID!) { order(id: $id) { id status } }')).toBe('orders');
  });

  it('leaves to the query planner reads that join subgraphs, commands, introspection and invalid documents', () => {
    expect(route('query($id: ID!) { shop(id: $id) { id activeAds { id } } }')).toBeNull();
    expect(route('query($id: ID!) { shop(id: $id) { id reviews(first: 3) { rating } } }')).toBeNull();
    expect(route('query($a: DeliveryArea!) { home(area: $a) { categories { category } } myOrders { id } }')).toBeNull();
    expect(route('mutation($id: ID!) { updateShop(id: $id, input: { deliveryFee: 1 }) { id } }')).toBeNull();
    expect(route('{ __schema { types { name } } }')).toBeNull();
    expect(route('{ shop(id: "1") { __type(name: "Shop") { name } } }')).toBeNull();
    expect(route('{ __typename }')).toBeNull();
    expect(route('{ shop(id: "1") { noSuchField } }')).toBeNull();
    expect(route('{ shop(id: ')).toBeNull();
    expect(route('query A { shop(id: "1") { id } } query B { shop(id: "2") { id } }')).toBeNull();
  });
});
