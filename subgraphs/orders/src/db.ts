import { databaseUrl, groupLoader, rowLoader, type SubgraphContext } from '@baedal/platform';
import { createPool, rawSql } from '@baedal/prisma/clients';
import { createOrdersClient } from '@baedal/prisma/orders';

const pool = createPool(databaseUrl('orders'));
export const db = createOrdersClient(pool);
/** Placing an order goes straight through the driver, on the client's own pool. */
export const sql = rawSql(pool);

/**
 * The shops of each owner whose live feed starts, for the whole process and
 * kept for no one: a burst of subscriptions (a gateway restarting brings every
 * device back at once) costs one query per tick, not one each.
 */
export const shopsOfOwners = groupLoader(
  (ownerIds) =>
    db.shopReplica.findMany({ where: { ownerId: { in: [...ownerIds] } }, select: { shopId: true, ownerId: true } }),
  (s) => s.ownerId,
  { cache: false },
);

export function createLoaders() {
  return {
    order: rowLoader(
      (ids) => db.order.findMany({ where: { id: { in: [...ids] } } }),
      (o) => o.id,
    ),
    lines: groupLoader(
      (orderIds) => db.orderLine.findMany({ where: { orderId: { in: [...orderIds] } }, orderBy: { id: 'asc' } }),
      (l) => l.orderId,
    ),
    history: groupLoader(
      (orderIds) =>
        db.orderStatusChange.findMany({
          where: { orderId: { in: [...orderIds] } },
          orderBy: [{ at: 'asc' }, { id: 'asc' }],
        }),
      (h) => h.orderId,
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
/** What every resolver of this subgraph receives. */
export type Context = SubgraphContext<Loaders>;

export async function checkDatabase(): Promise<void> {
  await db.$queryRaw`SELECT 1`;
}
