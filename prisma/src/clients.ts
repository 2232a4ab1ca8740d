import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';

/*
 * What every service's Prisma client is built from: the pg driver adapter (no
 * native engine) over a pool of the pg driver.
 */

/** A pool of the pg driver for one service database. */
export function createPool(url: string, poolSize = 10): pg.Pool {
  const pool = new pg.Pool(poolConfig(url, poolSize));
  // An idle connection that breaks (the database restarting) is dropped by the pool; without a listener it would end the process.
  pool.on('error', () => {});
  return pool;
}

function poolConfig(url: string, poolSize: number): pg.PoolConfig {
  return { connectionString: url, max: poolSize, connectionTimeoutMillis: 2000 };
}

/** The options every service's PrismaClient is created with, over `pool` (or a pool of its own for `url`). */
export function clientOptions(urlOrPool: string | pg.Pool, poolSize = 10) {
  return {
    // A pool handed in belongs to the client from then on: $disconnect ends it.
    adapter: typeof urlOrPool === 'string' ? new PrismaPg(poolConfig(urlOrPool, poolSize)) : new PrismaPg(urlOrPool, { disposeExternalPool: true }),
    // Each emitted query event costs about 40 µs of CPU (it formats the statement and its parameters), so
    // they are emitted only when asked for: tests that count queries per request set BAEDAL_PRISMA_QUERY_EVENTS=1.
    log: process.env.BAEDAL_PRISMA_QUERY_EVENTS === '1' ? [{ emit: 'event' as const, level: 'query' as const }] : [],
  };
}

/** Reads raw rows straight through the driver: the subset of a Prisma client that hot read paths need. */
export interface RawReader {
  $queryRawUnsafe<T>(query: string, ...values: unknown[]): Promise<T>;
}

/**
 * A RawReader on the pool itself, for the hottest read statements: the pg
 * driver alone costs about half of Prisma's raw path per statement (61 vs 128
 * µs of CPU for a shop page, docs/benchmarks.md). Rows come as pg parses them:
 * the same as Prisma's for int, text, arrays, booleans and jsonb (not for
 * bigint or timestamp columns, which such statements must not select).
 */
export function rawReader(pool: pg.Pool): RawReader {
  return {
    async $queryRawUnsafe<T>(query: string, ...values: unknown[]): Promise<T> {
      return (await pool.query(query, values)).rows as T;
    },
  };
}
