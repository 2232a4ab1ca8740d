import { PrismaPg } from '@prisma/adapter-pg';
import { databaseUrl } from '@baedal/platform';
import { PrismaClient } from './generated/orders/client';

export * from './generated/orders/client';

/** The orders service's Prisma client over the pg driver adapter (no native engine). */
export function createOrdersClient(url = databaseUrl('orders'), poolSize = 10): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: poolSize, connectionTimeoutMillis: 2000 }) });
}
