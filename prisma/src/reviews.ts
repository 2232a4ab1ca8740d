import type pg from 'pg';
import { databaseUrl } from '@baedal/platform';
import { clientOptions } from './clients';
import { PrismaClient } from './generated/reviews/client';

export * from './generated/reviews/client';

/** The reviews service's Prisma client, over a pool of its own for `url` or over `pool`. */
export function createReviewsClient(
  urlOrPool: string | pg.Pool = databaseUrl('reviews'),
  poolSize = 10,
): PrismaClient<'query'> {
  return new PrismaClient(clientOptions(urlOrPool, poolSize));
}
