import { PrismaPg } from '@prisma/adapter-pg';
import { createHash } from 'node:crypto';
import pg from 'pg';
import { observePool } from '@baedal/platform';
import { prismaConfig } from './config';

/*
 * What every service's Prisma client is built from: the pg driver adapter (no
 * native engine) over a pool of the pg driver.
 */

/** A pool of the pg driver for one service database. */
export function createPool(url: string, poolSize = 10): pg.Pool {
  const pool = new pg.Pool(poolConfig(url, poolSize));
  // An idle connection that breaks (the database restarting) is dropped by the pool; without a listener it would end the process.
  pool.on('error', () => {});
  // So is one in use: its query fails, and the client is dropped when released. pg emits 'error' on a
  // checked-out client whose session is terminated, which would end the process without a listener of its own.
  pool.on('connect', (client) => client.on('error', () => {}));
  observePool(databaseNameOf(url), pool);
  return pool;
}

const databaseNameOf = (url: string) => new URL(url).pathname.slice(1) || 'postgres';

function poolConfig(url: string, poolSize: number): pg.PoolConfig {
  return { connectionString: url, max: poolSize, connectionTimeoutMillis: 2000 };
}

/** The options every service's PrismaClient is created with, over `pool` (or a pool of its own for `url`). */
export function clientOptions(urlOrPool: string | pg.Pool, poolSize = 10) {
  return {
    // A pool handed in belongs to the client from then on: $disconnect ends it.
    adapter: new PrismaPg(typeof urlOrPool === 'string' ? createPool(urlOrPool, poolSize) : urlOrPool, {
      disposeExternalPool: true,
    }),
    log: prismaConfig().BAEDAL_PRISMA_QUERY_EVENTS ? [{ emit: 'event' as const, level: 'query' as const }] : [],
  };
}

/**
 * Raw statements: the part of a Prisma client (or of its transaction client)
 * that raw SQL paths need. The same shape as @baedal/events' SqlTransaction,
 * so the outbox and the consumers take either.
 */
export interface RawSql {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

/** RawSql on a pool, which can also run a transaction on one of its connections. */
export interface RawDb extends RawSql {
  $transaction<T>(work: (tx: RawSql) => Promise<T>): Promise<T>;
}

// Rows parsed as Prisma's raw queries return them: timestamp columns (stored in UTC without a zone) as UTC Dates, bigint as BigInt.
const PARSERS: Record<number, (value: string) => unknown> = {
  1114: (value) => new Date(`${value.replace(' ', 'T')}Z`),
  20: (value) => BigInt(value),
};
const types = {
  getTypeParser: (oid: number, format?: string) => PARSERS[oid] ?? pg.types.getTypeParser(oid, format as 'text'),
};

// Each distinct statement is prepared once per connection (Postgres skips parsing and planning it again),
// up to a bound, so statements built with varying text do not pile up in every connection.
const MAX_PREPARED = 500;
const names = new Map<string, string>();
// Prepared, a statement is planned for its values five times, then may keep one generic plan for any values.
const plannedEachTime = new Set<string>();

/** Marks a statement whose best plan depends on its values (search: a word few shops have, or many) to be planned at every run: never prepared. */
export function planEachTime(text: string): string {
  plannedEachTime.add(text);
  return text;
}

function nameOf(text: string): string | undefined {
  if (plannedEachTime.has(text)) return undefined;
  let name = names.get(text);
  if (!name && names.size < MAX_PREPARED) {
    name = `baedal_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}

function rawOn(queryable: pg.Pool | pg.PoolClient): RawSql {
  const run = (text: string, values: unknown[]) => queryable.query({ text, values, name: nameOf(text), types });
  return {
    async $queryRawUnsafe<T>(query: string, ...values: unknown[]): Promise<T> {
      return (await run(query, values)).rows as T;
    },
    async $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number> {
      return (await run(query, values)).rowCount ?? 0;
    },
  };
}

/**
 * Statements straight through the pg driver, on the pool a Prisma client
 * also uses, for the hottest paths (customer reads, placing and paying for
 * orders): the driver alone costs a third to a half of Prisma's raw path per
 * statement, and a transaction a fraction of an interactive Prisma one
 * (docs/performance.md, P5 and P19; docs/adr/0001). Rows come as Prisma's raw queries return them.
 */
export function rawSql(pool: pg.Pool): RawDb {
  return {
    ...rawOn(pool),
    async $transaction<T>(work: (tx: RawSql) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await work(rawOn(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        // A connection that cannot even roll back is not given back to the pool.
        await client.query('ROLLBACK').catch(() => (broken = true));
        throw error;
      } finally {
        client.release(broken);
      }
    },
  };
}
