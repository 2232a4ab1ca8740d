import { PrismaPg } from '@prisma/adapter-pg';
import { databaseUrl } from '@baedal/platform';
import { PrismaClient } from './generated/payments/client';

export * from './generated/payments/client';

/** The payments service's Prisma client over the pg driver adapter (no native engine). */
export function createPaymentsClient(url = databaseUrl('payments'), poolSize = 10): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: poolSize, connectionTimeoutMillis: 2000 }) });
}
