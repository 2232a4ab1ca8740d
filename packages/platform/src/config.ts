import { defineSettings, int, oneOf, optionalText, secret, text, type Environment, type Setting } from './settings';

/*
 * The settings every process shares: where Postgres, Redis and each process
 * are, the secrets, the log level. Every default works on a developer machine
 * with Postgres and Redis on 127.0.0.1. Settings of one package live in that
 * package's config.ts.
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

const PORT_VARIABLES: Record<ProcessWithPort, string> = {
  gateway: 'GATEWAY_PORT',
  workers: 'WORKERS_PORT',
  providerA: 'PROVIDER_A_PORT',
  providerB: 'PROVIDER_B_PORT',
  shops: 'SHOPS_PORT',
  ads: 'ADS_PORT',
  orders: 'ORDERS_PORT',
  payments: 'PAYMENTS_PORT',
  reviews: 'REVIEWS_PORT',
};

const upper = (service: ServiceName) => service.toUpperCase();

const ports = Object.fromEntries(
  Object.entries(PORT_VARIABLES).map(([name, variable]) => [
    variable,
    int(DEFAULT_PORTS[name as ProcessWithPort], `the port ${name} listens on`, 0, 65535),
  ]),
) as Record<string, Setting<number>>;

const databaseOverrides = Object.fromEntries(
  SERVICES.map((s) => [`${upper(s)}_DATABASE_URL`, optionalText(`overrides the ${s} database URL`)]),
) as Record<string, Setting<string | undefined>>;

const subgraphUrls = Object.fromEntries(
  SERVICES.map((s) => [
    `${upper(s)}_URL`,
    text((env) => `http://127.0.0.1:${portIn(s, env)}/graphql`, `where the gateway finds the ${s} subgraph`),
  ]),
) as Record<string, Setting<string>>;

/** A port as `env` sets it: the variable, or the default. */
function portIn(name: ProcessWithPort, env: Environment): number {
  const raw = env[PORT_VARIABLES[name]];
  return raw ? ports[PORT_VARIABLES[name]].parse(raw, PORT_VARIABLES[name]) : DEFAULT_PORTS[name];
}

export const platformConfig = defineSettings({
  BAEDAL_ENV: oneOf(
    ['development', 'production'],
    'development',
    'production: secrets must be your own, no demo data, playground and introspection off unless set',
  ),
  BAEDAL_PG_URL: text('postgres://postgres@127.0.0.1:5432', 'the Postgres server, without a database name'),
  BAEDAL_DB_PREFIX: text('baedal', 'databases are <prefix>_<service>; tests use their own'),
  BAEDAL_REDIS_URL: text('redis://127.0.0.1:6379/0', 'Redis'),
  BAEDAL_REDIS_PREFIX: text('baedal', 'every Redis key the platform writes (queues, caches) starts with it'),
  GATEWAY_URL: text((env) => `http://127.0.0.1:${portIn('gateway', env)}/graphql`, 'the gateway, for tools'),
  PROVIDER_A_URL: text((env) => `http://127.0.0.1:${portIn('providerA', env)}`, 'the primary payment provider'),
  PROVIDER_B_URL: text((env) => `http://127.0.0.1:${portIn('providerB', env)}`, 'the secondary payment provider'),
  BAEDAL_JWT_SECRET: secret('baedal-dev-jwt-secret-change-me', 'signs customer and owner tokens'),
  BAEDAL_IDENTITY_SECRET: secret('baedal-dev-identity-secret-change-me', 'signs identity the gateway forwards'),
  BAEDAL_CHARGE_SECRET: secret('baedal-dev-charge-secret-change-me', 'signs what an order costs (orders, payments)'),
  BAEDAL_LISTEN_HOST: text(
    (env) => (env.BAEDAL_ENV === 'production' ? '0.0.0.0' : '127.0.0.1'),
    'the address every process listens on (default 127.0.0.1; 0.0.0.0 in production)',
  ),
  BAEDAL_HTTP_HEADERS_TIMEOUT_MS: int(
    10_000,
    "a request's headers must arrive within this (slow clients are cut off)",
    100,
  ),
  BAEDAL_HTTP_REQUEST_TIMEOUT_MS: int(30_000, 'a whole request (headers and body) must arrive within this', 100),
  BAEDAL_HTTP_KEEP_ALIVE_TIMEOUT_MS: int(65_000, 'an idle keep-alive connection is closed after this', 100),
  BAEDAL_ACCESS_TOKEN_TTL_SECONDS: int(3600, 'how long an access token lives (at most an hour)', 10, 3600),
  BAEDAL_REFRESH_TOKEN_TTL_SECONDS: int(30 * 86_400, 'how long a session lasts unused (its refresh token)', 60),
  BAEDAL_PASSWORD_SCRYPT_LOG_N: {
    ...int(17, 'password hashes cost scrypt N = 2^this (OWASP: 17; tests lower it, production never)', 10, 22),
    productionFloor: 17,
  },
  BAEDAL_PASSWORD_HASHES_AT_ONCE: int(2, 'password hashes (128 MiB each) a process runs at once; the rest wait', 1),
  BAEDAL_LOG_LEVEL: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], 'info', 'pino log level'),
  ...ports,
  ...databaseOverrides,
  ...subgraphUrls,
});

const config = () => platformConfig() as Record<string, unknown> & ReturnType<typeof platformConfig>;

/** Whether this process runs in production (BAEDAL_ENV): then no development default is accepted. */
export function isProduction(env?: Environment): boolean {
  return (env ? platformConfig.read(env) : config()).BAEDAL_ENV === 'production';
}

/** Postgres server URL without a database name, e.g. postgres://postgres@127.0.0.1:5432 */
export function postgresServerUrl(): string {
  return config().BAEDAL_PG_URL;
}

/** Prefix of every database name; tests use their own so a running demo is untouched. */
export function databasePrefix(): string {
  return config().BAEDAL_DB_PREFIX;
}

export function databaseName(service: ServiceName): string {
  return `${databasePrefix()}_${service}`;
}

/** A service's database URL; `<SERVICE>_DATABASE_URL` overrides it (failure tests point it at a dead port). */
export function databaseUrl(service: ServiceName): string {
  const override = config()[`${upper(service)}_DATABASE_URL`] as string | undefined;
  return override ?? `${postgresServerUrl().replace(/\/+$/, '')}/${databaseName(service)}`;
}

export function redisUrl(): string {
  return config().BAEDAL_REDIS_URL;
}

/** Prefix of every Redis key the platform writes (BullMQ queues, caches). */
export function redisPrefix(): string {
  return config().BAEDAL_REDIS_PREFIX;
}

/** A process's port, in this process's environment or in `env` (the stack computes its children's). */
export function port(name: ProcessWithPort, env?: Environment): number {
  return env ? portIn(name, env) : (config()[PORT_VARIABLES[name]] as number);
}

/** The payment providers, primary first. */
export function paymentProviders(): { name: string; url: string }[] {
  return [
    { name: 'provider-a', url: config().PROVIDER_A_URL },
    { name: 'provider-b', url: config().PROVIDER_B_URL },
  ];
}

/** Where a subgraph listens, in this process's settings or as `env` sets it. */
export function subgraphUrl(service: ServiceName, env?: Environment): string {
  const settings = env ? (platformConfig.read(env) as Record<string, unknown>) : config();
  return settings[`${upper(service)}_URL`] as string;
}

export function gatewayUrl(): string {
  return config().GATEWAY_URL;
}

/** Signs customer/owner JWTs. The development default must be overridden in production. */
export const jwtSecret = (): string => config().BAEDAL_JWT_SECRET;

/** Shared by the gateway and the subgraphs to sign forwarded identity headers. */
export const identitySecret = (): string => config().BAEDAL_IDENTITY_SECRET;

/** Shared by orders and payments to sign what an order costs (the order charge contract). */
export const chargeSecret = (): string => config().BAEDAL_CHARGE_SECRET;

/** How passwords are hashed: scrypt's cost, and how many hashes run at once. */
export function passwordHashing(): { logN: number; atOnce: number } {
  return { logN: config().BAEDAL_PASSWORD_SCRYPT_LOG_N, atOnce: config().BAEDAL_PASSWORD_HASHES_AT_ONCE };
}

/** How every process serves HTTP: where it listens, and how long it waits for a client. */
export function httpServing(): {
  host: string;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
} {
  const c = config();
  return {
    host: c.BAEDAL_LISTEN_HOST,
    headersTimeoutMs: c.BAEDAL_HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: Math.max(c.BAEDAL_HTTP_REQUEST_TIMEOUT_MS, c.BAEDAL_HTTP_HEADERS_TIMEOUT_MS),
    keepAliveTimeoutMs: c.BAEDAL_HTTP_KEEP_ALIVE_TIMEOUT_MS,
  };
}

/** How long access tokens and sessions live. */
export function tokenLifetimes(): { accessSeconds: number; refreshSeconds: number } {
  return {
    accessSeconds: config().BAEDAL_ACCESS_TOKEN_TTL_SECONDS,
    refreshSeconds: config().BAEDAL_REFRESH_TOKEN_TTL_SECONDS,
  };
}

export function logLevel(): string {
  return config().BAEDAL_LOG_LEVEL;
}

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
