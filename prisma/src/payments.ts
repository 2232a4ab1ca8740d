import type pg from 'pg';
import { databaseUrl } from '@baedal/platform';
import { clientOptions } from './clients';
import { PrismaClient } from './generated/payments/client';

export * from './generated/payments/client';

/** The payments service's Prisma client, over a pool of its own for `url` or over `pool`. */
export function createPaymentsClient(
  urlOrPool: string | pg.Pool = databaseUrl('payments'),
  poolSize = 10,
): PrismaClient<'query'> {
  return new PrismaClient(clientOptions(urlOrPool, poolSize));
}
