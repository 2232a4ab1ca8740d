import { rowLoader } from '@baedal/platform';
import { createShopsClient } from '@baedal/prisma/shops';
import { documentsById, summariesById } from './queryModel';

export const db = createShopsClient();

/** Per-request loaders: each turns a batch of ids into one query. */
export function createLoaders() {
  return {
    /** Customer-facing shop documents from the query model. */
    shopView: rowLoader((ids) => documentsById(db, ids), (view) => view.shopId),
    /** The same documents without the menu: what list screens need, a fraction of the bytes. */
    shopSummary: rowLoader((ids) => summariesById(db, ids), (view) => view.shopId),
    account: rowLoader((ids) => db.account.findMany({ where: { id: { in: [...ids] } } }), (account) => account.id),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

export async function checkDatabase(): Promise<void> {
  await db.$queryRaw`SELECT 1`;
}
