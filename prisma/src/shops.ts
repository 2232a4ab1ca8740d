import { PrismaPg } from '@prisma/adapter-pg';
import { databaseUrl } from '@baedal/platform';
import { PrismaClient } from './generated/shops/client';

export * from './generated/shops/client';

/** The shops service's Prisma client over the pg driver adapter (no native engine). */
export function createShopsClient(url = databaseUrl('shops'), poolSize = 10): PrismaClient<'query'> {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: url, max: poolSize, connectionTimeoutMillis: 2000 }),
    // Emitted, not printed: tests count queries per request with $on('query').
    log: [{ emit: 'event', level: 'query' }],
  });
}
