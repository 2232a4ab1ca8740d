import os from 'node:os';
import { bool, defineSettings, int, optionalInt, SERVICES, type Setting } from '@baedal/platform';

/** The guard settings every subgraph has, each settable for all (SUBGRAPH_…) or for one (SHOPS_…). */
const GUARDS = {
  TIMEOUT_MS: 'a read waits this long for the subgraph (default 1000, payments 6000)',
  MUTATION_TIMEOUT_MS: 'a command waits this long (default 5000, never below the read timeout)',
  BREAKER_RESET_MS: 'an open breaker waits this long before one call probes (default 5000)',
  BREAKER_VOLUME: 'calls in the window before the breaker may open (default 5)',
  BREAKER_ERROR_PERCENT: 'the share of failed calls in the window that opens the breaker (default 50)',
  BREAKER_WINDOW_MS: 'how far back the breaker counts calls (default 10000)',
} as const;
export type GuardName = keyof typeof GUARDS;

const guards = Object.fromEntries(
  ['SUBGRAPH', ...SERVICES.map((s) => s.toUpperCase())].flatMap((scope) =>
    Object.entries(GUARDS).map(([name, doc]) => [`${scope}_${name}`, optionalInt(doc)]),
  ),
) as Record<string, Setting<number | undefined>>;

export const gatewayConfig = defineSettings({
  GATEWAY_WORKERS: int(() => os.availableParallelism(), 'gateway processes sharing its port', 1),
  BAEDAL_FALLBACK_TTL_SECONDS: int(86_400, 'how long the last good answer of a subgraph query is kept', 1),
  BAEDAL_RESPONSE_CACHE_TTL_MS: int(30_000, 'the longest a public answer is kept (0 turns the response cache off)', 0),
  BAEDAL_SINGLE_SUBGRAPH_READS: bool(true, 'operations one subgraph answers go straight to it (false: plan every one)'),
  ...guards,
});

export type GatewaySettings = ReturnType<typeof gatewayConfig>;
