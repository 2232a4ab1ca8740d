import DataLoader from 'dataloader';
import { databaseUrl, groupLoader, rowLoader, type SubgraphContext } from '@baedal/platform';
import { createPool, rawSql } from '@baedal/prisma/clients';
import { createPaymentsClient, type Payment } from '@baedal/prisma/payments';
import { paymentOfOrder } from './domain/payment';

const pool = createPool(databaseUrl('payments'));
export const db = createPaymentsClient(pool);
/** Paying goes straight through the driver, on the client's own pool. */
export const sql = rawSql(pool);

/** A payment of an order, with the owner of the order's shop as payments' ledger knows it. */
export type OrdersPayment = Payment & { shopOwnerId: string | null };

export function createLoaders() {
  return {
    payment: rowLoader(
      (ids) => db.payment.findMany({ where: { id: { in: [...ids] } } }),
      (p) => p.id,
    ),
    /** An order's payment (the approved or refunded one, else the latest attempt), with its shop's owner. */
    paymentOfOrder: new DataLoader<string, OrdersPayment | null>(async (orderIds) => {
      const payments = await db.$queryRawUnsafe<OrdersPayment[]>(
        `SELECT p.*, l."shopOwnerId" FROM "Payment" p LEFT JOIN "OrderLedger" l ON l."orderId" = p."orderId"
          WHERE p."orderId" = ANY($1::text[]) ORDER BY p."createdAt" DESC`,
        [...orderIds],
      );
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
