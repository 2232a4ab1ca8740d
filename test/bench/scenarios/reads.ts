import { CATEGORIES, DELIVERY_AREAS } from '@baedal/contracts';
import type { createShopsClient } from '@baedal/prisma/shops';
import { body, measure, post, results, zipf, type Body, type Measure } from '../load';
import { COLD_ONLY } from '../options';
import type { References } from '../references';
import type { Stack } from '@baedal/stack';

/*
 * The customer reads: home, shop list, shop detail and search, hot (through
 * the response cache, anonymous and signed in) and cold (the response cache
 * off), against both references.
 */

/** The customer reads the bench sends (also checked for the shortcut's reach: test/shortcutReach.test.ts). */
export const READS = {
  home: `query Home($area: DeliveryArea!) { home(area: $area) { categories { category shopCount } advertisedShops { id name deliveryFee rating reviewCount adPlacement(area: $area) { product } } } }`,
  list: `query List($area: DeliveryArea!, $category: Category, $after: String) { shops(area: $area, category: $category, first: 20, after: $after) { edges { cursor node { id name category deliveryFee minimumOrder rating reviewCount adPlacement(area: $area) { product } } } pageInfo { hasNextPage endCursor } } }`,
  detail: `query Detail($id: ID!) { shop(id: $id) { id name description deliveryFee minimumOrder openingHours { day opens closes } rating reviewCount menu { id name items { id name price soldOut optionGroups { id name options { id name price } } } } } }`,
  search: `query Search($q: String!, $area: DeliveryArea) { searchShops(query: $q, area: $area, first: 20) { id name rating reviewCount } }`,
};

const SEARCH_WORDS = [
  '치킨',
  '피자',
  '떡볶이',
  '김밥',
  '짜장면',
  '초밥',
  '족발',
  '버거',
  '커피',
  '곱창',
  '양념',
  '불고기',
];

/** Each read row's request set: the 5 areas; their lists' first 3 pages per category; every shop by Zipf popularity; searches. */
export async function readSets(
  gateway: string,
  shopsDb: ReturnType<typeof createShopsClient>,
): Promise<[string, Body[]][]> {
  const homeBodies = DELIVERY_AREAS.map((area) => body(READS.home, { area }));
  const listBodies: Body[] = [];
  for (const area of DELIVERY_AREAS) {
    for (const category of CATEGORIES) {
      let after: string | null = null;
      for (let page = 0; page < 3; page++) {
        const b = body(READS.list, { area, category, after });
        listBodies.push(b);
        const answer = JSON.parse((await post(gateway, b)).text);
        after = answer.data?.shops?.pageInfo?.endCursor ?? null;
        if (!answer.data?.shops?.pageInfo?.hasNextPage) break;
      }
    }
  }
  const shopIds = (await shopsDb.shopView.findMany({ select: { shopId: true }, orderBy: { orderCount: 'desc' } })).map(
    (s) => s.shopId,
  );
  // Popularity is skewed: a few shops get most detail views.
  const shuffled = [...shopIds].sort((a, b) => (a < b ? -1 : 1));
  const detailBodies = zipf(shuffled.length, 20000).map((rank) => body(READS.detail, { id: shuffled[rank] }));
  const searchBodies = SEARCH_WORDS.flatMap((q) => [
    body(READS.search, { q, area: null }),
    ...DELIVERY_AREAS.map((area) => body(READS.search, { q, area })),
  ]);
  return [
    ['home', homeBodies],
    ['shop list', listBodies],
    ['shop detail', detailBodies],
    ['search', searchBodies],
  ];
}

/**
 * The read rows; answers Baedal's hot rows by scenario, which the degraded rows compare with. Hot rows
 * first, anonymous and signed in (public answers are shared whoever asks); then the gateway is
 * restarted with its response cache off for the cold rows (the whole pipeline), and again as it was.
 */
export async function measureReads(
  sets: [string, Body[]][],
  stack: Stack,
  references: References,
  signedIn: Record<string, string>,
  /** Signed-in customers taking turns: the cold rows count against each one's rate limits, as people's do. */
  customers: Record<string, string>[],
): Promise<Record<string, Measure>> {
  const gateway = stack.gatewayUrl;
  const healthy: Record<string, Measure> = {};
  for (const [scenario, bodies] of sets) {
    if (!COLD_ONLY) await measure(scenario, 'bare server (a)', references.bare, bodies);
    await measure(scenario, 'plain @apollo/gateway (b)', references.naive, bodies);
    if (COLD_ONLY) continue;
    healthy[scenario] = await measure(scenario, 'Baedal', gateway, bodies, undefined, {}, true);
    const note = 'hot reads, signed-in customer: the same shared answers, whoever asks';
    await measure(scenario, 'Baedal, signed-in customer', gateway, bodies, note, signedIn, true);
  }
  await stack.restart('gateway', { BAEDAL_RESPONSE_CACHE_TTL_MS: '0' });
  try {
    for (const [scenario, bodies] of sets) {
      const note = 'response cache off (BAEDAL_RESPONSE_CACHE_TTL_MS=0): gateway, shops subgraph, Postgres';
      await measure(scenario, 'Baedal, response cache bypassed', gateway, bodies, note, customers);
    }
  } finally {
    await stack.restart('gateway');
  }
  return healthy;
}

/**
 * What the limits and the privacy decision cost: the gateway restarted with them on and off
 * (BAEDAL_LIMITS), three times each, interleaved, measuring the signed-in hot detail row (a kept
 * answer: only the caller's credentials are checked) and the cold detail row (response cache off:
 * every request is decided, limited and routed). One row each, with the medians in its note.
 */
export async function measureLimitsCost(
  sets: [string, Body[]][],
  stack: Stack,
  signedIn: Record<string, string>,
): Promise<void> {
  const detail = sets.find(([scenario]) => scenario === 'shop detail')![1];
  const gateway = stack.gatewayUrl;
  const rows = {
    hot: { on: [] as Measure[], off: [] as Measure[] },
    cold: { on: [] as Measure[], off: [] as Measure[] },
  };
  const first = results.length;
  try {
    for (let run = 0; run < 3; run++) {
      // ABBA order, so a machine that speeds up or slows down during the runs favours neither.
      for (const limits of run % 2 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
        const on = String(limits === 'on');
        await stack.restart('gateway', { BAEDAL_LIMITS: on });
        rows.hot[limits].push(
          await measure('shop detail', `limits ${limits}`, gateway, detail, undefined, signedIn, true),
        );
        await stack.restart('gateway', { BAEDAL_LIMITS: on, BAEDAL_RESPONSE_CACHE_TTL_MS: '0' });
        rows.cold[limits].push(
          await measure('shop detail', `limits ${limits}, cold`, gateway, detail, undefined, signedIn),
        );
      }
    }
  } finally {
    await stack.restart('gateway');
  }
  results.splice(first);
  const median = (list: Measure[]) => [...list].sort((a, b) => a.rps - b.rps)[1];
  for (const [kind, { on, off }] of Object.entries(rows)) {
    const [withLimits, without] = [median(on), median(off)];
    const cost = ((without.rps - withLimits.rps) / without.rps) * 100;
    results.push({
      ...withLimits,
      scenario: `shop detail, ${kind === 'hot' ? 'hot, signed in' : 'response cache off'}`,
      target: 'Baedal, limits and privacy decision on',
      note: `median of 3 interleaved runs: on ${on.map((m) => m.rps).join('/')}, off ${off.map((m) => m.rps).join('/')} req/s; cost ${cost.toFixed(1)}%`,
    });
  }
}
