import { rowLoader } from '@baedal/platform';
import { createPaymentsClient } from '@baedal/prisma/payments';

export const db = createPaymentsClient();

export function createLoaders() {
  return {
    payment: rowLoader((ids) => db.payment.findMany({ where: { id: { in: [...ids] } } }), (p) => p.id),
    paymentOfOrder: rowLoader((orderIds) => db.payment.findMany({ where: { orderId: { in: [...orderIds] } } }), (p) => p.orderId),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

export async function checkDatabase(): Promise<void> {
  await db.$queryRaw`SELECT 1`;
}
