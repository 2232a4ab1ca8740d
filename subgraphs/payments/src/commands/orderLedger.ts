import { verifyOrderCharge, type OrderCharge } from '@baedal/contracts';
import { badInput } from '@baedal/platform';
import { sql } from '../db';
import type { Ledger } from '../domain/payment';

/**
 * The order as orders' signed charge describes it (the customer may pay before
 * the order's first event arrives), at version 0. It is not read from the
 * ledger first: payOrder's statement writes that row with the payment if it is
 * new, and refuses the payment if the stored one is canceled or another
 * customer's (refusal says which); order events (version 1 on) then advance it.
 */
function ledgerFrom(charge: OrderCharge): Ledger {
  return { orderId: charge.orderId, customerId: charge.customerId, total: charge.total, version: 0, canceled: false };
}

export async function readLedger(orderId: string): Promise<Ledger | null> {
  const [ledger] = await sql.$queryRawUnsafe<Ledger[]>('SELECT * FROM "OrderLedger" WHERE "orderId" = $1', orderId);
  return ledger ?? null;
}

/**
 * The order as payments knows it. With orders' signed charge it is known at
 * once; without, it arrives by event a few milliseconds after placement, so wait briefly.
 */
export async function ledgerOf(orderId: string, paymentToken: string | null | undefined): Promise<Ledger | null> {
  const charge = paymentToken ? verifyOrderCharge(paymentToken) : null;
  if (charge && charge.orderId !== orderId) throw badInput('paymentToken', 'paymentToken belongs to another order');
  if (charge) return ledgerFrom(charge);
  for (let waited = 0; ; waited += 50) {
    const ledger = await readLedger(orderId);
    if (ledger || waited >= 3000) return ledger;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
