import {
  CallFailure,
  callWithin,
  createCircuitBreaker,
  isBreakerOpen,
  keepAliveAgent,
  paymentProviders,
  type GuardedCall,
  type Logger,
} from '@baedal/platform';
import { paymentsConfig } from './config';

/*
 * Payment providers behind one interface. Each has its own timeout and
 * circuit breaker; authorizeWithFailover tries them in order, so payments go
 * to the secondary while the primary fails or its breaker is open.
 */

export interface AuthorizationResult {
  status: 'APPROVED' | 'DECLINED';
  transactionId: string;
  reason: string | null;
}

export interface PaymentProvider {
  readonly name: string;
  /** Idempotent by key: the same key is the same authorization, never a second charge. */
  authorize(key: string, amount: number, orderId: string): Promise<AuthorizationResult>;
  /** What the provider recorded for the key, or null if nothing. */
  lookup(key: string): Promise<AuthorizationResult | null>;
  /** Idempotent by key. */
  refund(key: string, transactionId: string, amount: number): Promise<void>;
}

/** The provider could not be asked: timeout, refused connection, 5xx, or its breaker is open. */
export class ProviderUnavailable extends Error {
  constructor(
    readonly provider: string,
    readonly kind: 'timeout' | 'connection' | 'server_error' | 'breaker_open',
    message: string,
  ) {
    super(message);
  }
}

function classify(provider: string, error: unknown): ProviderUnavailable | null {
  if (error instanceof ProviderUnavailable) return error;
  if (isBreakerOpen(error)) return new ProviderUnavailable(provider, 'breaker_open', `${provider}: breaker open`);
  if (error instanceof CallFailure)
    return new ProviderUnavailable(
      provider,
      error.kind,
      error.kind === 'timeout' ? `${provider} timed out` : `${provider}: ${error.message}`,
    );
  return null;
}

const agent = keepAliveAgent(64);

export class HttpPaymentProvider implements PaymentProvider {
  private readonly breaker: GuardedCall;

  constructor(
    readonly name: string,
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
    log: Logger,
  ) {
    this.breaker = createCircuitBreaker(
      name,
      {
        resetMs: paymentsConfig().PROVIDER_BREAKER_RESET_MS,
        volumeThreshold: paymentsConfig().PROVIDER_BREAKER_VOLUME,
        errorThresholdPercentage: 50,
      },
      (error) => classify(name, error) !== null,
      log,
    );
  }

  private async call<T>(path: string, init: { method: string; body?: string }, notFound?: T): Promise<T> {
    try {
      return (await this.breaker.fire(async () => {
        const { status, text } = await callWithin(`${this.baseUrl}${path}`, {
          ...init,
          headers: { 'content-type': 'application/json' },
          timeoutMs: this.timeoutMs,
          agent,
        });
        if (status === 404 && notFound !== undefined) return notFound;
        if (status >= 500) throw new ProviderUnavailable(this.name, 'server_error', `${this.name} answered ${status}`);
        if (status < 200 || status >= 300) throw new Error(`${this.name} refused the request: ${status} ${text}`);
        return JSON.parse(text) as T;
      })) as T;
    } catch (error) {
      throw classify(this.name, error) ?? error;
    }
  }

  authorize(key: string, amount: number, orderId: string): Promise<AuthorizationResult> {
    return this.call('/authorizations', { method: 'POST', body: JSON.stringify({ key, amount, orderId }) });
  }

  lookup(key: string): Promise<AuthorizationResult | null> {
    return this.call(`/authorizations/${encodeURIComponent(key)}`, { method: 'GET' }, null);
  }

  async refund(key: string, transactionId: string, amount: number): Promise<void> {
    await this.call('/refunds', { method: 'POST', body: JSON.stringify({ key, transactionId, amount }) });
  }
}

let configured: PaymentProvider[] | null = null;

/** The configured providers, primary first (PROVIDER_A_URL, PROVIDER_B_URL; PROVIDER_TIMEOUT_MS). */
export function providers(log: Logger): PaymentProvider[] {
  configured ??= paymentProviders().map(
    (p) => new HttpPaymentProvider(p.name, p.url, paymentsConfig().PROVIDER_TIMEOUT_MS, log),
  );
  return configured;
}

export interface FailoverOutcome {
  provider: PaymentProvider;
  result: AuthorizationResult;
}

/**
 * Authorizes with the first provider that answers. Every provider that could
 * not be asked is reported to `onUnavailable` (and is checked again by
 * reconciliation, in case it charged before timing out). Throws when none answers.
 */
export async function authorizeWithFailover(
  list: PaymentProvider[],
  key: string,
  amount: number,
  orderId: string,
  onUnavailable: (failure: ProviderUnavailable) => Promise<void>,
): Promise<FailoverOutcome> {
  for (const provider of list) {
    try {
      return { provider, result: await provider.authorize(key, amount, orderId) };
    } catch (error) {
      if (!(error instanceof ProviderUnavailable)) throw error;
      await onUnavailable(error);
    }
  }
  throw new ProviderUnavailable('all', 'connection', 'No payment provider could be reached');
}

/**
 * What the providers recorded for a key: the first that has it; null when every provider says none
 * (nothing was charged); 'unknown' when none has it but one could not be asked.
 */
export async function recordedCharge(
  list: PaymentProvider[],
  key: string,
): Promise<FailoverOutcome | null | 'unknown'> {
  let everyoneAnswered = true;
  for (const provider of list) {
    try {
      const result = await provider.lookup(key);
      if (result) return { provider, result };
    } catch {
      everyoneAnswered = false;
    }
  }
  return everyoneAnswered ? null : 'unknown';
}
