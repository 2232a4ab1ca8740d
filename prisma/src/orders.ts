import type pg from 'pg';
import { databaseUrl } from '@baedal/platform';
import { clientOptions } from './clients';
import { PrismaClient } from './generated/orders/client';

export * from './generated/orders/client';

/** The orders service's Prisma client, over a pool of its own for `url` or over `pool`. */
export function createOrdersClient(
  urlOrPool: string | pg.Pool = databaseUrl('orders'),
  poolSize = 10,
): PrismaClient<'query'> {
  return new PrismaClient(clientOptions(urlOrPool, poolSize));
}
