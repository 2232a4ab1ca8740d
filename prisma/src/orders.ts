import { PrismaPg } from '@prisma/adapter-pg';
import { databaseUrl } from '@baedal/platform';
import { PrismaClient } from './generated/orders/client';

export * from './generated/orders/client';

/** The orders service's Prisma client over the pg driver adapter (no native engine). */
export function createOrdersClient(url = databaseUrl('orders'), poolSize = 10): PrismaClient<'query'> {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: url, max: poolSize, connectionTimeoutMillis: 2000 }),
    // Emitted, not printed: tests count queries per request with $on('query').
    log: [{ emit: 'event', level: 'query' }],
  });
}
