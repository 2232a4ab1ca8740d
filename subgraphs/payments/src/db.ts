import DataLoader from 'dataloader';
import { databaseUrl, groupLoader, rowLoader, type SubgraphContext } from '@baedal/platform';
import { createPool, rawSql } from '@baedal/prisma/clients';
import { createPaymentsClient, type Payment } from '@baedal/prisma/payments';
import { paymentOfOrder } from './domain/payment';

const pool = createPool(databaseUrl('payments'));
export const db = createPaymentsClient(pool);
/** Paying goes straight through the driver, on the client's own pool. */
export const sql = rawSql(pool);

export function createLoaders() {
  return {
    payment: rowLoader(
      (ids) => db.payment.findMany({ where: { id: { in: [...ids] } } }),
      (p) => p.id,
    ),
    /** An order's payment: the approved (or refunded) one, else the latest attempt. */
    paymentOfOrder: new DataLoader<string, Payment | null>(async (orderIds) => {
      const payments = await db.payment.findMany({
        where: { orderId: { in: [...orderIds] } },
        orderBy: { createdAt: 'desc' },
      });
      return orderIds.map((orderId) => paymentOfOrder(payments.filter((p) => p.orderId === orderId)));
    }),
    history: groupLoader(
      (ids) =>
        db.paymentRecord.findMany({ where: { paymentId: { in: [...ids] } }, orderBy: [{ at: 'asc' }, { id: 'asc' }] }),
      (r) => r.paymentId,
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
/** What every resolver of this subgraph receives. */
export type Context = SubgraphContext<Loaders>;

export async function checkDatabase(): Promise<void> {
  await db.$queryRaw`SELECT 1`;
}
