/**
 * Settings come from environment variables; every default works on a
 * developer machine with Postgres and Redis on 127.0.0.1.
 */

export const SERVICES = ['shops', 'ads', 'orders', 'payments', 'reviews'] as const;
export type ServiceName = (typeof SERVICES)[number];

export type ProcessWithPort = ServiceName | 'gateway' | 'workers' | 'providerA' | 'providerB';

const DEFAULT_PORTS: Record<ProcessWithPort, number> = {
  gateway: 4000,
  workers: 4010,
  providerA: 4021,
  providerB: 4022,
  shops: 4001,
  ads: 4002,
  orders: 4003,
  payments: 4004,
  reviews: 4005,
};

function env(name: string, fallback: string): string {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new Error(`${name} must be an integer, got "${raw}"`);
  return value;
}

/** Postgres server URL without a database name, e.g. postgres://postgres@127.0.0.1:5432 */
export function postgresServerUrl(): string {
  return env('BAEDAL_PG_URL', 'postgres://postgres@127.0.0.1:5432');
}

/** Prefix of every database name; tests use their own so a running demo is untouched. */
export function databasePrefix(): string {
  return env('BAEDAL_DB_PREFIX', 'baedal');
}

export function databaseName(service: ServiceName): string {
  return `${databasePrefix()}_${service}`;
}

/** A service's database URL; `<SERVICE>_DATABASE_URL` overrides it (failure tests point it at a dead port). */
export function databaseUrl(service: ServiceName): string {
  const override = process.env[`${service.toUpperCase()}_DATABASE_URL`];
  if (override) return override;
  return `${postgresServerUrl().replace(/\/+$/, '')}/${databaseName(service)}`;
}

export function redisUrl(): string {
  return env('BAEDAL_REDIS_URL', 'redis://127.0.0.1:6379/0');
}

/** Prefix of every Redis key the platform writes (BullMQ queues, caches). */
export function redisPrefix(): string {
  return env('BAEDAL_REDIS_PREFIX', 'baedal');
}

const ENV_NAMES: Partial<Record<ProcessWithPort, string>> = { providerA: 'PROVIDER_A', providerB: 'PROVIDER_B' };

/** A process's port from `environment` (this process's by default): `<NAME>_PORT`, or the default. */
export function port(name: ProcessWithPort, environment: NodeJS.ProcessEnv = process.env): number {
  const variable = `${ENV_NAMES[name] ?? name.toUpperCase()}_PORT`;
  const raw = environment[variable];
  if (raw === undefined || raw === '') return DEFAULT_PORTS[name];
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new Error(`${variable} must be an integer, got "${raw}"`);
  return value;
}

/** The payment providers, primary first. */
export function paymentProviders(): { name: string; url: string }[] {
  return [
    { name: 'provider-a', url: env('PROVIDER_A_URL', `http://127.0.0.1:${port('providerA')}`) },
    { name: 'provider-b', url: env('PROVIDER_B_URL', `http://127.0.0.1:${port('providerB')}`) },
  ];
}

export function subgraphUrl(service: ServiceName): string {
  return env(`${service.toUpperCase()}_URL`, `http://127.0.0.1:${port(service)}/graphql`);
}

export function gatewayUrl(): string {
  return env('GATEWAY_URL', `http://127.0.0.1:${port('gateway')}/graphql`);
}

/**
 * A setting read at its first use and kept: these are read on every request,
 * and reading process.env (a lookup in the process's environment block) showed
 * as 1-1.5% of the gateway's and the orders subgraph's CPU. A process's
 * environment does not change while it runs.
 */
function once<T>(read: () => T): () => T {
  let value: { read: T } | undefined;
  return () => (value ??= { read: read() }).read;
}

/** Signs customer/owner JWTs. The development default must be overridden in production. */
export const jwtSecret = once(() => env('BAEDAL_JWT_SECRET', 'baedal-dev-jwt-secret-change-me'));

/** Shared by the gateway and the subgraphs to sign forwarded identity headers. */
export const identitySecret = once(() => env('BAEDAL_IDENTITY_SECRET', 'baedal-dev-identity-secret-change-me'));

/** Shared by orders and payments to sign what an order costs (see charge.ts). */
export const chargeSecret = once(() => env('BAEDAL_CHARGE_SECRET', 'baedal-dev-charge-secret-change-me'));

export function logLevel(): string {
  return env('BAEDAL_LOG_LEVEL', 'info');
}

/**
 * Development switch: ORDERS_AUTO_APPROVE_PAYMENT=true moves a placed order
 * straight from PENDING_PAYMENT to PLACED without payOrder. Off by default:
 * orders wait for payments' payment.approved.
 */
export const autoApprovePayment = once(() => env('ORDERS_AUTO_APPROVE_PAYMENT', 'false') === 'true');

/** Redis channel on which the workers announce that the customer query model changed. */
export function queryModelChannel(): string {
  return `${redisPrefix()}:query-model-changed`;
}

/**
 * What a query model announcement says changed: `documents` (a shop's terms,
 * menu, rating or ads: any answer may be stale) or only `listings` (the
 * clock moved shops between open and closed or in and out of ad slots: lists
 * and home change, a shop's own document does not).
 */
export type QueryModelChange = 'documents' | 'listings';
