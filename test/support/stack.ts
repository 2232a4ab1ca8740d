import path from 'node:path';
import { SERVICES, type ServiceName } from '@baedal/platform';
import { dropDatabase } from '@baedal/prisma';
import { Stack } from '@baedal/stack';

/**
 * A whole platform for one test file: databases, ports and Redis keys of its
 * own, so a running demo and other test files are untouched.
 */
export interface TestPlatform {
  stack: Stack;
  gatewayUrl: string;
  prefix: string;
  databaseUrl(service: ServiceName): string;
  stop(): Promise<void>;
}

export const PG_URL = process.env.BAEDAL_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';

export function testEnv(name: string, basePort: number): Record<string, string> {
  const prefix = `baedal_t_${name}_${process.pid}`;
  const env: Record<string, string> = {
    BAEDAL_DB_PREFIX: prefix,
    BAEDAL_REDIS_PREFIX: prefix,
    BAEDAL_LOG_LEVEL: 'warn',
    GATEWAY_PORT: String(basePort),
  };
  SERVICES.forEach((service, i) => {
    env[`${service.toUpperCase()}_PORT`] = String(basePort + 1 + i);
  });
  return env;
}

export async function dropTestDatabases(prefix: string): Promise<void> {
  for (const service of SERVICES) await dropDatabase(`${prefix}_${service}`);
}

export async function startTestPlatform(name: string, basePort: number, seedShops = 60): Promise<TestPlatform> {
  const env = testEnv(name, basePort);
  const prefix = env.BAEDAL_DB_PREFIX;
  await dropTestDatabases(prefix);
  const stack = new Stack({ env, seedShops, output: path.join(__dirname, '..', '.logs', name) });
  try {
    await stack.up();
  } catch (error) {
    await stack.stopAll();
    throw error;
  }
  return {
    stack,
    gatewayUrl: stack.gatewayUrl,
    prefix,
    databaseUrl: (service) => `${PG_URL}/${prefix}_${service}`,
    async stop() {
      await stack.stopAll();
      await dropTestDatabases(prefix);
    },
  };
}
