import { GraphQLError } from 'graphql';

/*
 * Small federated supergraphs, one or more per federation feature where a
 * single subgraph's own answer can differ from what the supergraph promises.
 * Each query says whether Baedal's shortcut may take it (`shortcut`): the
 * differential test (test/shortcut.e2e.test.ts) sends each to Baedal's gateway
 * and to a plain @apollo/gateway and compares the answers.
 */

export interface FixtureSubgraph {
  name: string;
  typeDefs: string;
  resolvers: Record<string, unknown>;
  /** Served by Baedal's own subgraph server (signed identity, gathered commands) instead of a plain Apollo Server. */
  baedal?: boolean;
}

export interface FixtureQuery {
  query: string;
  variables?: Record<string, unknown>;
  /** Whether the shortcut answers it (else the query planner does). */
  shortcut: boolean;
}

export interface Fixture {
  name: string;
  subgraphs: FixtureSubgraph[];
  queries: FixtureQuery[];
  /** Mutations, sent one by one and then together (gathered), to both gateways. */
  commands?: FixtureQuery[];
}

const fed = (imports: string[]) =>
  `extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: [${imports.map((i) => `"${i}"`).join(', ')}])\n`;

const byId = <T extends { id: string }>(items: T[]) => ({
  __resolveReference: (ref: { id: string }) => items.find((i) => i.id === ref.id) ?? null,
});

const things = [
  { id: 't1', name: 'open thing', status: 'OPEN', hidden: 'h1', rating: 4 },
  { id: 't2', name: 'secret thing', status: 'SECRET', hidden: 'h2', rating: 2 },
];
const inaccessible: Fixture = {
  name: '@inaccessible fields, enum values and types',
  subgraphs: [
    {
      name: 'catalog',
      typeDefs: `${fed(['@key', '@inaccessible'])}
        enum Status { OPEN CLOSED SECRET @inaccessible }
        interface Node { id: ID! }
        type Thing implements Node @key(fields: "id") { id: ID! name: String! status: Status! hidden: String @inaccessible }
        type Ghost implements Node @inaccessible { id: ID! }
        type Query { things: [Thing!]! nodes: [Node!]! thing(id: ID!): Thing withStatus(status: Status!): [Thing!]! }`,
      resolvers: {
        Query: {
          things: () => things,
          nodes: () => [things[0], { id: 'g1', ghost: true }],
          thing: (_: unknown, { id }: { id: string }) => things.find((t) => t.id === id) ?? null,
          withStatus: (_: unknown, { status }: { status: string }) => things.filter((t) => t.status === status),
        },
        Node: { __resolveType: (n: { ghost?: boolean }) => (n.ghost ? 'Ghost' : 'Thing') },
        Thing: byId(things),
      },
    },
    {
      name: 'ratings',
      typeDefs: `${fed(['@key'])}
        type Thing @key(fields: "id") { id: ID! rating: Int }`,
      resolvers: { Thing: { __resolveReference: (ref: { id: string }) => things.find((t) => t.id === ref.id) } },
    },
  ],
  queries: [
    { query: '{ things { id name } }', shortcut: true },
    { query: '{ things { id status } }', shortcut: false },
    { query: 'query($s: Status!) { withStatus(status: $s) { id } }', variables: { s: 'OPEN' }, shortcut: false },
    { query: '{ nodes { __typename id } }', shortcut: false },
    { query: '{ thing(id: "t1") { name rating } }', shortcut: false },
    { query: '{ thing(id: "t2") { id name } }', shortcut: true },
  ],
};

const media = [
  { id: 'b1', title: 'A Book', author: 'Kim', kind: 'Book' },
  { id: 'm1', title: 'A Movie', director: 'Park', kind: 'Movie' },
];
const interfaceObject: Fixture = {
  name: '@interfaceObject',
  subgraphs: [
    {
      name: 'library',
      typeDefs: `${fed(['@key'])}
        interface Media @key(fields: "id") { id: ID! title: String! }
        type Book implements Media @key(fields: "id") { id: ID! title: String! author: String! }
        type Movie implements Media @key(fields: "id") { id: ID! title: String! director: String! }
        type Query { media: [Media!]! }`,
      resolvers: {
        Query: { media: () => media },
        Media: {
          __resolveType: (m: { kind: string }) => m.kind,
          __resolveReference: (ref: { id: string }) => media.find((m) => m.id === ref.id),
        },
        Book: byId(media),
        Movie: byId(media),
      },
    },
    {
      name: 'reviews',
      typeDefs: `${fed(['@key', '@interfaceObject'])}
        type Media @key(fields: "id") @interfaceObject { id: ID! reviews: [String!]! }
        type Query { topMedia: [Media!]! }`,
      resolvers: {
        Query: { topMedia: () => [{ id: 'm1' }, { id: 'b1' }] },
        Media: {
          __resolveReference: (ref: { id: string }) => ref,
          reviews: (m: { id: string }) => [`good ${m.id}`],
        },
      },
    },
  ],
  queries: [
    { query: '{ media { id title } }', shortcut: true },
    { query: '{ media { __typename id ... on Book { author } } }', shortcut: true },
    { query: '{ topMedia { id reviews } }', shortcut: false },
    { query: '{ topMedia { __typename id } }', shortcut: false },
    { query: '{ media { id reviews } }', shortcut: false },
  ],
};

const products = [
  { id: 'p1', name: 'Kimchi', price: 100, weight: 1 },
  { id: 'p2', name: 'Tteok', price: 300, weight: 3 },
];
const override: Fixture = {
  name: '@override, progressive too',
  subgraphs: [
    {
      name: 'old',
      typeDefs: `${fed(['@key'])}
        type Product @key(fields: "id") { id: ID! name: String! price: Int! weight: Int! }
        type Query { products: [Product!]! }`,
      resolvers: { Query: { products: () => products }, Product: byId(products) },
    },
    {
      name: 'new',
      typeDefs: `${fed(['@key', '@override'])}
        type Product @key(fields: "id") { id: ID! price: Int! @override(from: "old") weight: Int! @override(from: "old", label: "percent(100)") }`,
      resolvers: {
        Product: {
          __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
          price: () => 999,
          weight: () => 7,
        },
      },
    },
  ],
  queries: [
    { query: '{ products { id name } }', shortcut: true },
    { query: '{ products { id price } }', shortcut: false },
    { query: '{ products { id weight } }', shortcut: false },
  ],
};

const reviews = [{ id: 'r1', body: 'tasty', product: { id: 'p1', name: 'Kimchi' } }];
const sales = [{ id: 's1', amount: 5, product: { id: 'p2' } }];
const requiresProvides: Fixture = {
  name: '@requires, @provides, @external and @key(resolvable: false)',
  subgraphs: [
    {
      name: 'products',
      typeDefs: `${fed(['@key', '@shareable'])}
        type Product @key(fields: "id") { id: ID! name: String! @shareable weight: Int! }
        type Query { products: [Product!]! }`,
      resolvers: { Query: { products: () => products }, Product: byId(products) },
    },
    {
      name: 'shipping',
      typeDefs: `${fed(['@key', '@external', '@requires', '@provides'])}
        type Product @key(fields: "id") { id: ID! name: String! @external weight: Int! @external shipping: Int! @requires(fields: "weight") }
        type Review @key(fields: "id") { id: ID! body: String! product: Product! @provides(fields: "name") }
        type Query { reviews: [Review!]! }`,
      resolvers: {
        Query: { reviews: () => reviews },
        Product: {
          __resolveReference: (ref: { id: string; weight?: number }) => ref,
          shipping: (p: { weight: number }) => p.weight * 10,
        },
        Review: byId(reviews),
      },
    },
    {
      name: 'sales',
      typeDefs: `${fed(['@key'])}
        type Product @key(fields: "id", resolvable: false) { id: ID! }
        type Sale { id: ID! amount: Int! product: Product! }
        type Query { sales: [Sale!]! }`,
      resolvers: { Query: { sales: () => sales } },
    },
  ],
  queries: [
    { query: '{ products { id shipping } }', shortcut: false },
    { query: '{ reviews { body product { name } } }', shortcut: false },
    { query: '{ reviews { body product { id } } }', shortcut: true },
    { query: '{ sales { amount product { id } } }', shortcut: true },
    { query: '{ sales { product { id name } } }', shortcut: false },
  ],
};

const stock = { p1: 3, p2: 0 } as Record<string, number>;
const books = [{ id: 'b1', title: 'Book One' }];
const shareableUnions: Fixture = {
  name: '@shareable fields resolved elsewhere, and unions whose members differ',
  subgraphs: [
    {
      name: 'shop',
      typeDefs: `${fed(['@key', '@shareable'])}
        type Product @key(fields: "id") { id: ID! name: String! @shareable }
        type Book @key(fields: "id") { id: ID! title: String! }
        union Result = Product | Book
        type Query { products: [Product!]! search: [Result!]! }`,
      resolvers: {
        Query: { products: () => products, search: () => [products[0], books[0]] },
        Result: { __resolveType: (r: { title?: string }) => (r.title ? 'Book' : 'Product') },
        Product: byId(products),
        Book: byId(books),
      },
    },
    {
      name: 'stock',
      typeDefs: `${fed(['@key', '@shareable'])}
        type Product @key(fields: "id") { id: ID! name: String! @shareable stock: Int! }
        type Song { id: ID! title: String! }
        union Result = Product | Song
        type Query { tracks: [Result!]! }`,
      resolvers: {
        Query: { tracks: () => [{ id: 'so1', title: 'Arirang' }, products[1]] },
        Result: { __resolveType: (r: { title?: string }) => (r.title ? 'Song' : 'Product') },
        Product: {
          __resolveReference: (ref: { id: string }) => products.find((p) => p.id === ref.id),
          stock: (p: { id: string }) => stock[p.id],
        },
      },
    },
  ],
  queries: [
    { query: '{ products { id name } }', shortcut: true },
    { query: '{ products { name stock } }', shortcut: false },
    { query: '{ search { __typename ... on Product { name } ... on Book { title } } }', shortcut: false },
    { query: '{ tracks { __typename ... on Song { title } ... on Product { name stock } } }', shortcut: false },
  ],
};

/** Counters per gateway: each gateway increments its own, so both see the same values. */
const counters = new Map<string, number>();
const commands: Fixture = {
  name: 'commands, one by one and gathered',
  subgraphs: [
    {
      name: 'counters',
      baedal: true,
      typeDefs: `${fed(['@key'])}
        type Counter @key(fields: "id") { id: ID! value: Int! }
        type Query { counter(id: ID!): Counter }
        type Mutation { increment(id: ID!, by: Int!): Counter! }`,
      resolvers: {
        Query: {
          counter: (_: unknown, { id }: { id: string }) => (counters.has(id) ? { id, value: counters.get(id) } : null),
        },
        Mutation: {
          // A command takes a while, as a real one does, so commands arriving meanwhile are gathered.
          increment: async (_: unknown, { id, by }: { id: string; by: number }) => {
            await new Promise((resolve) => setTimeout(resolve, 30));
            if (id.endsWith('missing'))
              throw new GraphQLError(`Counter ${id} does not exist`, { extensions: { code: 'NOT_FOUND' } });
            if (by < 0)
              throw new GraphQLError('by must not be negative', {
                extensions: { code: 'BAD_USER_INPUT', field: 'by' },
              });
            counters.set(id, (counters.get(id) ?? 0) + by);
            return { id, value: counters.get(id) };
          },
        },
        Counter: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, value: counters.get(ref.id) ?? 0 }) },
      },
    },
    {
      name: 'labels',
      baedal: true,
      typeDefs: `${fed(['@key'])}
        type Counter @key(fields: "id") { id: ID! label: String! }`,
      resolvers: {
        Counter: {
          __resolveReference: (ref: { id: string }) => ({ id: ref.id, label: `counter ${ref.id.split(':').pop()}` }),
        },
      },
    },
  ],
  queries: [
    { query: 'query($id: ID!) { counter(id: $id) { value } }', variables: { id: 'GATEWAY:c1' }, shortcut: true },
  ],
  commands: [
    {
      query: 'mutation($id: ID!) { increment(id: $id, by: 2) { value } }',
      variables: { id: 'GATEWAY:c1' },
      shortcut: true,
    },
    {
      query: 'mutation($id: ID!) { increment(id: $id, by: 1) { value label } }',
      variables: { id: 'GATEWAY:c2' },
      shortcut: false,
    },
    {
      query: 'mutation($id: ID!) { increment(id: $id, by: 1) { value } }',
      variables: { id: 'GATEWAY:missing' },
      shortcut: true,
    },
    {
      query: 'mutation($id: ID!) { increment(id: $id, by: -1) { value } }',
      variables: { id: 'GATEWAY:c3' },
      shortcut: true,
    },
  ],
};

export const FIXTURES: Fixture[] = [
  inaccessible,
  interfaceObject,
  override,
  requiresProvides,
  shareableUnions,
  commands,
];
