import os from 'node:os';
import {
  bool,
  defineSettings,
  DOMAIN_ERROR_CODES,
  int,
  optionalInt,
  optionalText,
  port,
  text,
  type Setting,
} from '@baedal/platform';

/** The guard settings every subgraph has, each settable for all (SUBGRAPH_…) or for one (SHOPS_…). */
const GUARDS = {
  TIMEOUT_MS: 'a read waits this long for the subgraph (default 1000)',
  MUTATION_TIMEOUT_MS: 'a command waits this long (default 5000, never below the read timeout)',
  BREAKER_RESET_MS: 'an open breaker waits this long before one call probes (default 5000)',
  BREAKER_VOLUME: 'calls in the window before the breaker may open (default 5)',
  BREAKER_ERROR_PERCENT: 'the share of failed calls in the window that opens the breaker (default 50)',
  BREAKER_WINDOW_MS: 'how far back the breaker counts calls (default 10000)',
} as const;
export type GuardName = keyof typeof GUARDS;

const scopeOf = (subgraph: string) => subgraph.toUpperCase().replace(/[^A-Z0-9]/g, '_');

/**
 * The settings of each subgraph the supergraph names (the gateway serves any
 * supergraph, so they follow its join__graph names): its URL, overriding the
 * supergraph's, and its guards.
 */
export function subgraphSettingsSpec(subgraphs: readonly string[]) {
  return Object.fromEntries(
    subgraphs.flatMap((subgraph) => [
      [
        `${scopeOf(subgraph)}_URL`,
        optionalText(`where the gateway finds the ${subgraph} subgraph (default: the supergraph's URL)`),
      ],
      ...Object.entries(GUARDS).map(([name, doc]) => [`${scopeOf(subgraph)}_${name}`, optionalInt(doc)]),
    ]),
  ) as Record<string, Setting<number | string | undefined>>;
}

export function subgraphSettings(subgraphs: readonly string[]): Record<string, number | string | undefined> {
  return defineSettings(subgraphSettingsSpec(subgraphs))();
}

export function subgraphSettingName(subgraph: string, name: GuardName | 'URL'): string {
  return `${scopeOf(subgraph)}_${name}`;
}

const guards = Object.fromEntries(
  Object.entries(GUARDS).map(([name, doc]) => [`SUBGRAPH_${name}`, optionalInt(doc)]),
) as Record<string, Setting<number | undefined>>;

export const gatewayConfig = defineSettings({
  GATEWAY_WORKERS: int(() => os.availableParallelism(), 'gateway processes sharing its port', 1),
  GATEWAY_INTERNAL_PORT: int(
    (env) => port('gateway', env) + 90,
    'the port of /metrics and the details of /readyz, for the cluster alone (default: the gateway port + 90)',
    0,
    65535,
  ),
  BAEDAL_CORS_ORIGINS: text('', 'browser origins (comma-separated) allowed to call the gateway, as dashboards'),
  BAEDAL_FALLBACK_TTL_SECONDS: int(86_400, 'how long the last good shared answer of a subgraph query is kept', 1),
  BAEDAL_FALLBACK_CALLER_TTL_SECONDS: int(3_600, "how long a caller's own last good answer is kept", 1),
  BAEDAL_FALLBACK_MAX_ENTRIES: int(20_000, 'most answers kept per subgraph (in Redis; the oldest go first)', 1),
  BAEDAL_FALLBACK_MAX_BYTES: int(64 * 1024 * 1024, 'most bytes of answers kept per subgraph (in Redis)', 1024),
  BAEDAL_FALLBACK_REDIS_URL: optionalText(
    'the Redis of the fallback cache (default BAEDAL_REDIS_URL); in production a server of its own with allkeys-lru',
  ),
  BAEDAL_RESPONSE_CACHE_TTL_MS: int(30_000, 'the longest a public answer is kept (0 turns the response cache off)', 0),
  BAEDAL_SUPERGRAPH_PATH: optionalText('the supergraph file the gateway serves (default: gateway/supergraph.graphql)'),
  BAEDAL_SINGLE_SUBGRAPH_READS: bool(true, 'operations one subgraph answers go straight to it (false: plan every one)'),
  BAEDAL_SUBSCRIPTIONS_PER_CALLER: int(50, 'most live subscriptions one caller holds, across every gateway process', 1),
  BAEDAL_SUBSCRIPTIONS_PER_CONNECTION: int(20, 'most live subscriptions one WebSocket connection holds', 1),
  BAEDAL_RESPONSE_CACHE_DOCUMENT_ROOTS: text(
    'shop',
    'root fields (comma-separated) whose public answers survive a "listings" query-model change',
  ),
  // Limits every request meets before any work (limits.ts); the defaults admit every README and bench operation.
  BAEDAL_LIMIT_TOKENS: int(2_000, 'most tokens in a request document', 1),
  BAEDAL_LIMIT_DEPTH: int(10, 'most levels of nested fields', 1),
  BAEDAL_LIMIT_ALIASES: int(15, 'most aliases in an operation', 0),
  BAEDAL_LIMIT_ROOT_FIELDS: int(10, 'most top-level fields in an operation', 1),
  BAEDAL_LIMIT_COST: int(5_000, 'highest cost: each field 1, times the page sizes (first) of the lists above it', 1),
  BAEDAL_DOMAIN_ERROR_CODES: text(
    DOMAIN_ERROR_CODES.join(','),
    'error codes (comma-separated) a subgraph answers on purpose; any other error is a failure of the subgraph',
  ),
  BAEDAL_LIMITS: bool(true, 'apply the limits (false only to measure what they cost)'),
  // Rate limits (rateLimits.ts): per minute unless the window is set; counted in Redis by every process.
  BAEDAL_RATE_LIMITS: bool(true, 'count requests per address and account (false only to measure what it costs)'),
  BAEDAL_RATE_LIMIT_WINDOW_SECONDS: int(60, 'the window requests are counted in', 1),
  BAEDAL_RATE_LIMIT_ADDRESS_MUTATIONS: int(600, 'mutations one address may send in the window', 1),
  BAEDAL_RATE_LIMIT_ACCOUNT_MUTATIONS: int(120, 'mutations one account may send in the window', 1),
  BAEDAL_RATE_LIMIT_ADDRESS_READS: int(600, 'counted reads (BAEDAL_RATE_LIMITED_READS) one address may send', 1),
  BAEDAL_RATE_LIMIT_ACCOUNT_READS: int(300, 'counted reads one account may send in the window', 1),
  BAEDAL_RATE_LIMIT_ADDRESS_SIGN_IN: int(20, 'sign-ins and sign-ups one address may send in the window', 1),
  BAEDAL_RATE_LIMITED_READS: text('searchShops', 'root fields of reads that are counted (comma-separated)'),
  BAEDAL_RATE_LIMIT_SIGN_IN_FIELDS: text('login,signUp', 'root fields that sign in or up (comma-separated)'),
  BAEDAL_RATE_LIMIT_ACCOUNT_ONLY: text(
    'claimCoupon',
    'mutations counted per account alone, not per address (comma-separated): a coupon burst comes from behind shared addresses',
  ),
  BAEDAL_TRUSTED_PROXIES: text(
    '',
    'proxies whose X-Forwarded-For names the client (comma-separated addresses, CIDRs, or loopback/linklocal/uniquelocal)',
  ),
  BAEDAL_TRUSTED_DOCUMENTS: bool(false, 'run only the operations apps registered (on in the production overlay)'),
  BAEDAL_TRUSTED_DOCUMENTS_PATH: optionalText(
    'the registered operations (npm run operations -- register; default gateway/trusted-documents.json)',
  ),
  BAEDAL_PERSISTED_QUERY_TTL_SECONDS: int(86_400, 'how long an automatic persisted query is kept in Redis', 1),
  // Off by default in production (BAEDAL_ENV): they show the whole schema to anyone.
  BAEDAL_PLAYGROUND: bool(
    (env) => env.BAEDAL_ENV !== 'production',
    'serve the playground at GET /graphql (default: on, off in production)',
  ),
  BAEDAL_PLAYGROUND_DEMO_ACCOUNTS: text(
    '',
    "demo accounts the playground signs in as in one click (comma-separated emails; the stack sets its demo data's; never in production)",
  ),
  BAEDAL_PLAYGROUND_DEMO_PASSWORD: text('', "the demo accounts' password (the stack sets it with its demo data)"),
  BAEDAL_INTROSPECTION: bool(
    (env) => env.BAEDAL_ENV !== 'production',
    'answer introspection queries (default: on, off in production)',
  ),
  ...guards,
});

export type GatewaySettings = ReturnType<typeof gatewayConfig>;

/** A comma-separated setting's names. */
export function namesIn(list: string): string[] {
  return list
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}
