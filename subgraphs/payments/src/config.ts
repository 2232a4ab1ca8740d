import { bool, decimal, defineSettings, int, oneOf } from '@baedal/platform';

export const paymentsConfig = defineSettings({
  PROVIDER_TIMEOUT_MS: int(2000, 'how long payments waits for a payment provider', 1),
  PROVIDER_BREAKER_RESET_MS: int(5000, "how long a provider's open breaker waits before one call probes it", 1),
  PROVIDER_BREAKER_VOLUME: int(5, "calls in a provider's window before its breaker may open", 1),
  PAYMENTS_RECONCILE_MS: int(30_000, 'how often payments settles what a crash left pending', 1),
});

/** The payment provider simulator's settings (POST /control changes the last three while it runs). */
export const simulatorConfig = defineSettings({
  PROVIDER_ID: oneOf(['A', 'B'], 'A', 'which simulator this is (provider-a or provider-b)'),
  PROVIDER_LATENCY_MS: int(0, 'the simulator answers this much later', 0),
  PROVIDER_ERROR_RATE: decimal(0, 'the share of requests the simulator answers 500', 0, 1),
  PROVIDER_OUTAGE: bool(false, 'the simulator answers every request 503'),
});
