import { parse } from 'graphql';
import { FIXTURES } from './support/federationFixtures';
import { post, shortcutAnswers, startBaedalGateway, startFixture, type Running } from './support/fixtureGateways';
import { deleteRedisKeys } from './support/stack';

/*
 * Each limit at its edge through Baedal's real gateway process: n passes and
 * n + 1 is refused, for a read the shortcut takes and one the query planner
 * takes. The fixture is the @requires/@provides supergraph, whose routes the
 * differential test pins: `{ reviews { body product { id } } }` goes by the
 * shortcut, `{ reviews { body product { name } } }` by the planner. One
 * gateway per limit, set tight by its environment variable.
 */

const PREFIX = `baedal_t_limits_${process.pid}`;
process.env.BAEDAL_LOG_LEVEL ??= 'warn';

const fixture = FIXTURES.find((f) => f.name.startsWith('@requires'))!;

/** The fewest tokens graphql-js parses the query within. */
function tokens(query: string): number {
  for (let n = 1; ; n++) {
    try {
      parse(query, { maxTokens: n });
      return n;
    } catch {
      // more than n
    }
  }
}

interface Edge {
  limit: string;
  env: string;
  max: number;
  /** Within the limit, on each path. */
  pass: { shortcut: string; pipeline: string };
  /** One over it, on each path. */
  refuse: { shortcut: string; pipeline: string };
}

const aliased = (n: number, leaf: string) =>
  `{ reviews { product { ${leaf} } ${Array.from({ length: n }, (_, i) => `a${i}: body`).join(' ')} } }`;
const rooted = (n: number, leaf: string) =>
  `{ reviews { product { ${leaf} } } ${Array.from({ length: n - 1 }, (_, i) => `r${i}: reviews { id }`).join(' ')} }`;
const short = (extra: string) => `{ reviews { product { id } ${extra} } }`;
const planned = (extra: string) => `{ reviews { product { name } ${extra} } }`;

const EDGES: Edge[] = [
  {
    limit: 'aliases',
    env: 'BAEDAL_LIMIT_ALIASES',
    max: 3,
    pass: { shortcut: aliased(3, 'id'), pipeline: aliased(3, 'name') },
    refuse: { shortcut: aliased(4, 'id'), pipeline: aliased(4, 'name') },
  },
  {
    limit: 'rootFields',
    env: 'BAEDAL_LIMIT_ROOT_FIELDS',
    max: 3,
    pass: { shortcut: rooted(3, 'id'), pipeline: rooted(3, 'name') },
    refuse: { shortcut: rooted(4, 'id'), pipeline: rooted(4, 'name') },
  },
  {
    // GraphQL Armor counts the leaf's level: reviews > product > id is 3.
    limit: 'depth',
    env: 'BAEDAL_LIMIT_DEPTH',
    max: 2,
    pass: { shortcut: '{ reviews { body } }', pipeline: '{ products { shipping } }' },
    refuse: { shortcut: short(''), pipeline: planned('') },
  },
  {
    limit: 'tokens',
    env: 'BAEDAL_LIMIT_TOKENS',
    max: tokens(short('body')),
    pass: { shortcut: short('body'), pipeline: planned('body') },
    refuse: { shortcut: short('body id'), pipeline: planned('body id') },
  },
  {
    // No list here takes `first`, so each field costs 1.
    limit: 'cost',
    env: 'BAEDAL_LIMIT_COST',
    max: 4,
    pass: { shortcut: short('body'), pipeline: planned('body') },
    refuse: { shortcut: short('body id'), pipeline: planned('body id') },
  },
];

describe.each(EDGES.map((e) => [e.limit, e] as const))('the %s limit at its edge, on both paths', (_, edge) => {
  const running: Running[] = [];
  let gateway: string;

  beforeAll(async () => {
    const started = await startFixture(fixture);
    running.push(...started.running);
    const baedal = await startBaedalGateway(started.supergraphPath, `${PREFIX}_${edge.limit}`, {
      [edge.env]: String(edge.max),
    });
    running.push(baedal);
    gateway = baedal.url;
  }, 60_000);

  afterAll(async () => {
    for (const r of running.reverse()) await r.stop();
    await deleteRedisKeys(`${PREFIX}_${edge.limit}`);
  });

  it.each(['shortcut', 'pipeline'] as const)('on the %s: n passes by its path, n + 1 is refused', async (path) => {
    const before = await shortcutAnswers(gateway);
    const passed = JSON.parse(await post(gateway, { query: edge.pass[path], shortcut: false }, 'baedal')) as {
      data?: unknown;
      errors?: unknown;
    };
    expect(passed.errors).toBeUndefined();
    expect(passed.data).toBeTruthy();
    const after = await shortcutAnswers(gateway);
    expect(after - before).toBe(path === 'shortcut' ? 1 : 0);

    const response = await fetch(gateway, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: edge.refuse[path] }),
    });
    const refused = (await response.json()) as { data?: unknown; errors: { message: string; extensions: object }[] };
    expect(response.status).toBe(400);
    expect(refused.data).toBeUndefined();
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors[0].extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      limit: edge.limit,
      max: edge.max,
      ...(edge.limit === 'tokens' ? {} : { found: edge.max + 1 }),
    });
    expect(refused.errors[0].message).toContain(`at most ${edge.max}`);
    // Refused before any routing: the shortcut did no work for it.
    expect(await shortcutAnswers(gateway)).toBe(after);
  });
});
