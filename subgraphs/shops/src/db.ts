import { databaseUrl, rowLoader, type SubgraphContext } from '@baedal/platform';
import { createPool, rawSql } from '@baedal/prisma/clients';
import { createShopsClient } from '@baedal/prisma/shops';
import { documentsById, summariesById } from './queryModel';

const pool = createPool(databaseUrl('shops'));
export const db = createShopsClient(pool);
/** The customer reads of the query model (pages, lists, search) go straight through the driver, on the client's own pool. */
export const sql = rawSql(pool);

/** Per-request loaders: each turns a batch of ids into one query. */
export function createLoaders() {
  return {
    /** Customer-facing shop documents from the query model. */
    shopView: rowLoader(
      (ids) => documentsById(sql, ids),
      (view) => view.shopId,
    ),
    /** The same documents without the menu: what list screens need, a fraction of the bytes. */
    shopSummary: rowLoader(
      (ids) => summariesById(sql, ids),
      (view) => view.shopId,
    ),
    account: rowLoader(
      (ids) => db.account.findMany({ where: { id: { in: [...ids] } } }),
      (account) => account.id,
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
/** What every resolver of this subgraph receives. */
export type Context = SubgraphContext<Loaders>;

export async function checkDatabase(): Promise<void> {
  await db.$queryRaw`SELECT 1`;
}
