import fs from 'node:fs';
import path from 'node:path';
import { operationModel } from './operation';

const model = operationModel(fs.readFileSync(path.join(__dirname, '..', 'supergraph.graphql'), 'utf8'), {
  shortcut: true,
  limits: null,
});
const route = (query: string) => {
  const decided = model.decide(query);
  return decided && 'route' in decided ? decided.route : null;
};

describe('singleSubgraphRouter', () => {
  const read = (subgraph: string) => ({ subgraph, mutation: false });
  const command = (subgraph: string) => ({ subgraph, mutation: true });

  it('sends a read whose every field is one subgraph’s own to that subgraph', () => {
    expect(
      route('query($id: ID!) { shop(id: $id) { id name rating reviewCount menu { name items { name price } } } }'),
    ).toEqual(read('shops'));
    expect(
      route(
        'query($a: DeliveryArea!) { shops(area: $a, first: 20) { edges { node { id name adPlacement(area: $a) { product } } } } }',
      ),
    ).toEqual(read('shops'));
    expect(route('query D($id: ID!) { shop(id: $id) { ...F } } fragment F on Shop { id deliveryFee }')).toEqual(
      read('shops'),
    );
    expect(route('query($id: ID!) { order(id: $id) { id status } }')).toEqual(read('orders'));
  });

  it('sends a command to its subgraph as a command, when the fields it selects are that subgraph’s own', () => {
    expect(route('mutation($id: ID!) { updateShop(id: $id, input: { deliveryFee: 1 }) { id } }')).toEqual(
      command('shops'),
    );
    expect(route('mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id paymentToken } }')).toEqual(
      command('orders'),
    );
    expect(
      route('mutation($o: ID!, $k: String!) { payOrder(orderId: $o, method: CARD, idempotencyKey: $k) { status } }'),
    ).toEqual(command('payments'));
    expect(
      route('fragment F on Order { id } mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { ...F } }'),
    ).toEqual(command('orders'));
  });

  it('leaves to the query planner reads and commands that join subgraphs, introspection and invalid documents', () => {
    expect(route('query($id: ID!) { shop(id: $id) { id activeAds { id } } }')).toBeNull();
    expect(route('query($id: ID!) { shop(id: $id) { id reviews(first: 3) { rating } } }')).toBeNull();
    expect(route('query($a: DeliveryArea!) { home(area: $a) { categories { category } } myOrders { id } }')).toBeNull();
    expect(
      route('mutation($id: ID!) { updateShop(id: $id, input: { deliveryFee: 1 }) { id activeAds { id } } }'),
    ).toBeNull();
    expect(
      route(
        'mutation($input: PlaceOrderInput!, $id: ID!) { placeOrder(input: $input) { id } updateShop(id: $id, input: { deliveryFee: 1 }) { id } }',
      ),
    ).toBeNull();
    expect(route('{ __schema { types { name } } }')).toBeNull();
    expect(route('{ shop(id: "1") { __type(name: "Shop") { name } } }')).toBeNull();
    expect(route('{ __typename }')).toBeNull();
    expect(route('{ shop(id: "1") { noSuchField } }')).toBeNull();
    expect(route('{ shop(id: ')).toBeNull();
    expect(route('query A { shop(id: "1") { id } } query B { shop(id: "2") { id } }')).toBeNull();
  });
});
