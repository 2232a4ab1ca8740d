import { rowLoader } from '@baedal/platform';
import { createShopsClient } from '@baedal/prisma/shops';
import { DOCUMENT_SELECT, SUMMARY_SELECT } from './queryModel';

export const db = createShopsClient();

/** Per-request loaders: each turns a batch of ids into one query. */
export function createLoaders() {
  return {
    /** Customer-facing shop documents from the query model. */
    shopView: rowLoader((ids) => db.shopView.findMany({ where: { shopId: { in: [...ids] }, infoVersion: { gt: 0 } }, select: DOCUMENT_SELECT }), (view) => view.shopId),
    /** The same documents without the menu and search text: what list screens need, a fraction of the bytes. */
    shopSummary: rowLoader(
      (ids) => db.shopView.findMany({ where: { shopId: { in: [...ids] }, infoVersion: { gt: 0 } }, select: SUMMARY_SELECT }),
      (view) => view.shopId,
    ),
    account: rowLoader((ids) => db.account.findMany({ where: { id: { in: [...ids] } } }), (account) => account.id),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

export async function checkDatabase(): Promise<void> {
  await db.$queryRaw`SELECT 1`;
}
