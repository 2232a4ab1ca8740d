import DataLoader from 'dataloader';
import { databaseUrl, groupLoader, rowLoader } from '@baedal/platform';
import { createPool, rawSql } from '@baedal/prisma/clients';
import { createPaymentsClient, type Payment } from '@baedal/prisma/payments';

const pool = createPool(databaseUrl('payments'));
export const db = createPaymentsClient(pool);
/** Paying goes straight through the driver, on the client's own pool. */
export const sql = rawSql(pool);

const RANK: Record<Payment['status'], number> = { APPROVED: 0, REFUNDED: 1, PENDING: 2, DECLINED: 3, FAILED: 4 };

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
      return orderIds.map(
        (orderId) =>
          payments.filter((p) => p.orderId === orderId).sort((a, b) => RANK[a.status] - RANK[b.status])[0] ?? null,
      );
    }),
    history: groupLoader(
      (ids) =>
        db.paymentRecord.findMany({ where: { paymentId: { in: [...ids] } }, orderBy: [{ at: 'asc' }, { id: 'asc' }] }),
      (r) => r.paymentId,
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

export async function checkDatabase(): Promise<void> {
  await db.$queryRaw`SELECT 1`;
}
