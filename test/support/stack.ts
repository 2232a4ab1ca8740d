import path from 'node:path';
import { SERVICES, type ServiceName } from '@baedal/platform';
import { dropDatabase } from '@baedal/prisma';
import { Stack, type StackOptions } from '@baedal/stack';
import { CONSUMERS } from '@baedal/contracts';
import { openQueue } from '@baedal/events';
import Redis from 'ioredis';
import pg from 'pg';

/**
 * A whole platform for one test file: databases, ports and Redis keys of its
 * own, so a running demo and other test files are untouched.
 */
export interface TestPlatform {
  stack: Stack;
  gatewayUrl: string;
  prefix: string;
  databaseUrl(service: ServiceName): string;
  /** Waits until every outbox is relayed and every queue is drained. */
  settle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Polls `check` until it returns true; fails with `what` after the timeout. */
export async function eventually(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** True when no outbox row is waiting and no queue has a job waiting or running. */
export async function isQuiet(prefix: string, databaseUrl: (service: ServiceName) => string): Promise<boolean> {
  for (const service of SERVICES) {
    const client = new pg.Client({ connectionString: databaseUrl(service) });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT count(*)::int AS n FROM "OutboxEvent" WHERE "relayedAt" IS NULL');
      if (rows[0].n > 0) return false;
    } finally {
      await client.end();
    }
  }
  const redis = new Redis(process.env.BAEDAL_REDIS_URL ?? 'redis://127.0.0.1:6379/0', { maxRetriesPerRequest: null });
  try {
    for (const consumer of CONSUMERS) {
      const queue = openQueue(consumer, redis, prefix);
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
      await queue.close();
      if (Object.values(counts).some((n) => n > 0)) return false;
    }
  } finally {
    redis.disconnect();
  }
  return true;
}

/** Deletes every Redis key under the prefix (never the whole database: CI shares this Redis). */
export async function deleteRedisKeys(prefix: string): Promise<number> {
  const redis = new Redis(process.env.BAEDAL_REDIS_URL ?? 'redis://127.0.0.1:6379/0');
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

export const PG_URL = process.env.BAEDAL_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';

export function testEnv(name: string, basePort: number): Record<string, string> {
  const prefix = `baedal_t_${name}_${process.pid}`;
  const env: Record<string, string> = {
    BAEDAL_DB_PREFIX: prefix,
    BAEDAL_REDIS_PREFIX: prefix,
    BAEDAL_LOG_LEVEL: 'warn',
    BAEDAL_RIDER_DELAY_MS: '0',
    GATEWAY_PORT: String(basePort),
    WORKERS_PORT: String(basePort + 9),
    PROVIDER_A_PORT: String(basePort + 7),
    PROVIDER_B_PORT: String(basePort + 8),
    // One gateway process, so breaker state and metrics are the process the test talks to.
    GATEWAY_WORKERS: '1',
    // One workers process, so a test that stops or kills the workers stops every consumer.
    WORKERS_PROCESSES: '1',
    // One shops process: the failure suites stop, kill and proxy it as one.
    SHOPS_PROCESSES: '1',
    // Most suites test ordering, not paying: orders go straight to PLACED unless a suite turns this off.
    ORDERS_AUTO_APPROVE_PAYMENT: 'true',
    // Sign-ins are tested, not hashing's cost: scrypt at 2^12, not OWASP's 2^17 (production refuses below 17).
    BAEDAL_PASSWORD_SCRYPT_LOG_N: '12',
    // Every suite's clients share 127.0.0.1: the per-address limits are tested by the suites about them
    // (rateLimits.e2e, security.e2e), with addresses of their own; the per-account limits stay as deployed.
    BAEDAL_RATE_LIMIT_ADDRESS_MUTATIONS: '1000000',
    BAEDAL_RATE_LIMIT_ADDRESS_READS: '1000000',
    BAEDAL_RATE_LIMIT_ADDRESS_SIGN_IN: '1000000',
  };
  SERVICES.forEach((service, i) => {
    env[`${service.toUpperCase()}_PORT`] = String(basePort + 1 + i);
  });
  return env;
}

export async function dropTestDatabases(prefix: string): Promise<void> {
  for (const service of SERVICES) await dropDatabase(`${prefix}_${service}`);
}

export async function startTestPlatform(
  name: string,
  basePort: number,
  seedShops = 60,
  extraEnv: Record<string, string> = {},
  stackOptions: Pick<StackOptions, 'restartDead' | 'log'> = {},
): Promise<TestPlatform> {
  const env = { ...testEnv(name, basePort), ...extraEnv };
  const prefix = env.BAEDAL_DB_PREFIX;
  await dropTestDatabases(prefix);
  const stack = new Stack({ env, seedShops, output: path.join(__dirname, '..', '.logs', name), ...stackOptions });
  try {
    await stack.up();
  } catch (error) {
    // A platform that did not start leaves nothing behind either.
    await stack.stopAll();
    await dropTestDatabases(prefix);
    await deleteRedisKeys(prefix);
    throw error;
  }
  const databaseUrl = (service: ServiceName) => `${PG_URL}/${prefix}_${service}`;
  const platform: TestPlatform = {
    stack,
    gatewayUrl: stack.gatewayUrl,
    prefix,
    databaseUrl,
    settle: async (timeoutMs = 60_000) => {
      await eventually('events to settle', () => isQuiet(prefix, databaseUrl), timeoutMs, 200);
    },
    async stop() {
      await stack.stopAll();
      await dropTestDatabases(prefix);
      await deleteRedisKeys(prefix);
    },
  };
  await platform.settle();
  return platform;
}
