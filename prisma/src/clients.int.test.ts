import { randomUUID } from 'node:crypto';
import { postgresServerUrl } from '@baedal/platform';
import { createPool, planEachTime, rawSql, type RawDb } from './clients';
import { dropDatabase, ensureDatabase } from './databases';
import { migrate } from './migrate';
import { createOrdersClient } from './orders';

/*
 * rawSql, the driver path of the hottest commands and reads, against a
 * migrated orders database: its rows must read as Prisma's raw queries read
 * them, and its transactions must commit or roll back whole. The package's
 * tests run in Asia/Seoul (package.json), where the driver's own reading of a
 * zoneless timestamp (local time) would be nine hours off.
 */

const name = `baedal_raw${process.pid}`;
const url = `${postgresServerUrl()}/${name}`;
let prisma: ReturnType<typeof createOrdersClient>;
let pool: ReturnType<typeof createPool>;
let sql: RawDb;

beforeAll(async () => {
  await dropDatabase(name);
  await ensureDatabase(name);
  await migrate('orders', url);
  prisma = createOrdersClient(url, 2);
  pool = createPool(url, 3);
  sql = rawSql(pool);
}, 60_000);

afterAll(async () => {
  await prisma.$disconnect();
  await pool.end();
  await dropDatabase(name);
});

async function insertEvent(via: { $executeRawUnsafe: RawDb['$executeRawUnsafe'] }, id: string) {
  return via.$executeRawUnsafe(
    `INSERT INTO "OutboxEvent" ("id", "type", "version", "aggregateId", "payload", "occurredAt") VALUES ($1, 'order.placed', 1, 'o1', '{"a":1}'::jsonb, $2::timestamptz AT TIME ZONE 'UTC')`,
    id,
    '2026-11-25T01:02:03.456Z',
  );
}

describe('rawSql', () => {
  it('reads rows as Prisma raw queries do: timestamps as UTC Dates, bigint as BigInt, jsonb as values', async () => {
    const id = randomUUID();
    expect(await insertEvent(sql, id)).toBe(1);
    const statement = 'SELECT "seq", "id", "payload", "occurredAt", "relayedAt" FROM "OutboxEvent" WHERE "id" = $1';
    const [viaDriver] = await sql.$queryRawUnsafe<Record<string, unknown>[]>(statement, id);
    const [viaPrisma] = await prisma.$queryRawUnsafe<Record<string, unknown>[]>(statement, id);
    expect(viaDriver).toEqual(viaPrisma);
    expect(viaDriver.occurredAt).toEqual(new Date('2026-11-25T01:02:03.456Z'));
    expect(typeof viaDriver.seq).toBe('bigint');
    expect(viaDriver.payload).toEqual({ a: 1 });
    expect(viaDriver.relayedAt).toBeNull();
  });

  it('commits a transaction whole, and rolls it back whole when its work throws', async () => {
    const [kept, lost] = [randomUUID(), randomUUID()];
    await sql.$transaction(async (tx) => {
      await insertEvent(tx, kept);
    });
    await expect(
      sql.$transaction(async (tx) => {
        await insertEvent(tx, lost);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    const found = await prisma.outboxEvent.findMany({ where: { id: { in: [kept, lost] } }, select: { id: true } });
    expect(found.map((e) => e.id)).toEqual([kept]);
  });

  it('prepares each statement once per connection, but never one marked to be planned at every run', async () => {
    const prepared = 'SELECT count(*) FROM "OutboxEvent" WHERE "aggregateId" = $1';
    const planned = planEachTime('SELECT count(*) FROM "OutboxEvent" WHERE "type" = $1');
    const statements = await sql.$transaction(async (tx) => {
      await tx.$queryRawUnsafe(prepared, 'o1');
      await tx.$queryRawUnsafe(planned, 'order.placed');
      return tx.$queryRawUnsafe<{ statement: string }[]>('SELECT "statement" FROM pg_prepared_statements');
    });
    const texts = statements.map((s) => s.statement);
    expect(texts).toContain(prepared);
    expect(texts).not.toContain(planned);
  });

  it('reports a unique violation with the code the services check for', async () => {
    const id = randomUUID();
    await insertEvent(sql, id);
    await expect(insertEvent(sql, id)).rejects.toMatchObject({ code: '23505' });
  });
});
