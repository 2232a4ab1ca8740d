import type pg from 'pg';
import { databaseUrl } from '@baedal/platform';
import { clientOptions } from './clients';
import { PrismaClient } from './generated/ads/client';

export * from './generated/ads/client';

/** The ads service's Prisma client, over a pool of its own for `url` or over `pool`. */
export function createAdsClient(
  urlOrPool: string | pg.Pool = databaseUrl('ads'),
  poolSize = 10,
): PrismaClient<'query'> {
  return new PrismaClient(clientOptions(urlOrPool, poolSize));
}
