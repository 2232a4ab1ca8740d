import fs from 'node:fs';
import path from 'node:path';
import { operationModel, type OperationDecision } from './operation';
import { parse } from 'graphql';
import { fixedCost, type Limits } from './limits';

/*
 * Each limit at its edge (n passes, n + 1 is refused), for an operation the
 * shortcut takes and one the query planner takes: both are refused before
 * any routing, by the one decision every path shares.
 */

const sdl = fs.readFileSync(path.join(__dirname, '..', 'supergraph.graphql'), 'utf8');
const LIMITS: Limits = { tokens: 2000, depth: 10, aliases: 15, rootFields: 10, cost: 5000 };
const modelWith = (limits: Partial<Limits>) =>
  operationModel(sdl, { shortcut: true, limits: { ...LIMITS, ...limits } });

function verdict(model: ReturnType<typeof modelWith>, query: string, variables?: Record<string, unknown>) {
  const decided = model.decide(query);
  if (!decided) throw new Error(`not GraphQL: ${query}`);
  const refusal = 'document' in decided ? model.admit(decided, variables) : decided.refusal;
  return refusal ? (refusal.extensions as Record<string, unknown>) : { route: (decided as OperationDecision).route };
}

/** `n` of something, in a read the shortcut takes (shops alone) and one the planner takes (shops and reviews). */
const paths = {
  shortcut: (inner: string) => `{ shop(id: "s1") { ${inner} } }`,
  pipeline: (inner: string) => `{ shop(id: "s1") { reviews(first: 1) { rating } ${inner} } }`,
};

describe.each(Object.entries(paths))('limits on the %s path', (pathName, wrap) => {
  const routed = (query: string) => verdict(modelWith({}), query);
  it('takes the path it is named for, within the limits', () => {
    const answer = routed(wrap('id'));
    expect(answer).toEqual({ route: pathName === 'shortcut' ? { subgraph: 'shops', mutation: false } : null });
  });

  it('aliases: n pass, n + 1 are refused', () => {
    const aliases = (n: number) => wrap(Array.from({ length: n }, (_, i) => `a${i}: name`).join(' '));
    const model = modelWith({ aliases: 4 });
    expect(verdict(model, aliases(4))).toHaveProperty('route');
    expect(verdict(model, aliases(5))).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'aliases', max: 4, found: 5 });
  });

  it('depth: n levels pass, n + 1 are refused', () => {
    // shop > menu > items > optionGroups > options > name: 6 levels on both paths (the planner's reviews add 2).
    const deep = wrap('menu { items { optionGroups { options { name } } } }');
    const base = 6;
    expect(verdict(modelWith({ depth: base }), deep)).toHaveProperty('route');
    expect(verdict(modelWith({ depth: base - 1 }), deep)).toMatchObject({ limit: 'depth', max: base - 1, found: base });
  });

  it('tokens: n pass, n + 1 are refused', () => {
    const query = wrap('id name');
    const count = (q: string) => {
      for (let n = 1; ; n++) if ('document' in (modelWith({ tokens: n }).decide(q) ?? {})) return n;
    };
    const n = count(query);
    expect(verdict(modelWith({ tokens: n }), query)).toHaveProperty('route');
    expect(verdict(modelWith({ tokens: n - 1 }), query)).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'tokens' });
  });

  it('cost: weighs first, from a literal or a variable', () => {
    // Shortcut: 1 (searchShops) + 20 shops x (1 name + 1 menu + 1 menu name) = 61.
    // Planner: 1 + 20 shops x (1 name + 1 reviews + 3 x 1 rating) = 101.
    const [selection, found] =
      pathName === 'shortcut' ? ['name menu { name }', 61] : ['name reviews(first: 3) { rating }', 101];
    const query = `query($n: Int!) { searchShops(query: "치킨", first: $n) { ${selection} } }`;
    expect(verdict(modelWith({ cost: found }), query, { n: 20 })).toEqual({
      route: pathName === 'shortcut' ? { subgraph: 'shops', mutation: false } : null,
    });
    expect(verdict(modelWith({ cost: found - 1 }), query, { n: 20 })).toMatchObject({
      limit: 'cost',
      max: found - 1,
      found,
    });
    // Decided once per query text, a page size a variable sets is still weighed per request.
    const model = modelWith({ cost: found });
    expect(verdict(model, query, { n: 20 })).toHaveProperty('route');
    expect(verdict(model, query, { n: 21 })).toMatchObject({ limit: 'cost', found: found + (found - 1) / 20 });
    // shop, id, and on the pipeline path reviews(first: 1) { rating }: 2 or 4.
    const direct = wrap('id');
    const cost = pathName === 'shortcut' ? 2 : 4;
    expect(verdict(modelWith({ cost }), direct)).toHaveProperty('route');
    expect(verdict(modelWith({ cost: cost - 1 }), direct)).toMatchObject({ limit: 'cost', found: cost });
  });
});

describe('root fields', () => {
  it('n pass, n + 1 are refused, counted through fragments', () => {
    const roots = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `r${i}: shop(id: "${i}") { id }`).join(' ')} }`;
    const model = modelWith({ rootFields: 3 });
    expect(verdict(model, roots(3))).toHaveProperty('route');
    expect(verdict(model, roots(4))).toMatchObject({ limit: 'rootFields', max: 3, found: 4 });
    expect(
      verdict(
        model,
        '{ ...F a: shop(id: "1") { id } } fragment F on Query { b: shop(id: "2") { id } c: home(area: MAPO) { area } d: me { id } }',
      ),
    ).toMatchObject({
      limit: 'rootFields',
      found: 4,
    });
  });
});

describe('the default limits', () => {
  const model = modelWith({});

  it('refuse 300 aliased searchShops', () => {
    const attack = `{ ${Array.from({ length: 300 }, (_, i) => `s${i}: searchShops(query: "치킨") { id name }`).join(' ')} }`;
    expect(verdict(model, attack)).toMatchObject({ code: 'QUERY_TOO_COMPLEX' });
  });

  it('refuse nesting six levels deep at first: 50', () => {
    const attack = `{ searchShops(query: "치킨", first: 50) { reviews(first: 50) { shop { reviews(first: 50) { shop { reviews(first: 50) { text } } } } } } }`;
    expect(verdict(model, attack)).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'cost' });
  });

  it('name the limit, its value and what was found in a message a person understands', () => {
    const refusal = model.decide(`{ ${Array.from({ length: 20 }, (_, i) => `a${i}: me { id }`).join(' ')} }`);
    const error = refusal && 'document' in refusal ? refusal.refusal : null;
    expect(error?.message).toBe('The request is too complex: at most 15 aliases are allowed, it has 20');
  });
});

describe('a fixed cost', () => {
  const { api } = modelWith({});
  it('is kept when no variable sets a page size, and only then', () => {
    expect(fixedCost(api, parse('{ searchShops(query: "치킨", first: 5) { name } }'))).toBe(6);
    expect(fixedCost(api, parse('query($q: String!) { searchShops(query: $q) { name } }'))).toBe(21);
    expect(fixedCost(api, parse('query($n: Int) { searchShops(query: "치킨", first: $n) { name } }'))).toBeNull();
    const spread = 'query($n: Int) { ...F } fragment F on Query { searchShops(query: "x", first: $n) { id } }';
    expect(fixedCost(api, parse(spread))).toBeNull();
  });
});
