import type pg from 'pg';
import { databaseUrl } from '@baedal/platform';
import { clientOptions } from './clients';
import { PrismaClient } from './generated/shops/client';

export * from './generated/shops/client';

/** The shops service's Prisma client, over a pool of its own for `url` or over `pool`. */
export function createShopsClient(
  urlOrPool: string | pg.Pool = databaseUrl('shops'),
  poolSize = 10,
): PrismaClient<'query'> {
  return new PrismaClient(clientOptions(urlOrPool, poolSize));
}
