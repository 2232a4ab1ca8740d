import type { Order } from '@baedal/prisma/orders';
import { ordersConfig } from '../config';
import { sql } from '../db';
import { moveOrders, type OrderMove } from './moveOrders';

/*
 * Orders nobody acts on do not stay open: an order not paid within
 * ORDERS_PAYMENT_WINDOW_MS expires (order.expired: payments gives back any
 * coupon and refunds a charge that raced the expiry), and a paid order the
 * shop has not accepted within ORDERS_ACCEPT_WINDOW_MS is rejected by the
 * platform (order.rejected: payments refunds it). The workers run this once
 * per cluster every ORDERS_EXPIRY_SWEEP_MS; any number of copies at once
 * would still be safe, as moveOrders locks each order and a second step on a
 * moved order is refused.
 */

/** Orders moved per transaction, so no sweep holds many locks for long. */
const SWEEP_BATCH = 200;

export interface ExpiredOrders {
  expired: number;
  rejected: number;
}

async function overdue(status: 'PENDING_PAYMENT' | 'PLACED', before: Date): Promise<string[]> {
  const rows = await sql.$queryRawUnsafe<Pick<Order, 'id'>[]>(
    `SELECT "id" FROM "Order" WHERE "status" = $1::"OrderStatus" AND "updatedAt" < $2::timestamptz AT TIME ZONE 'UTC'
      ORDER BY "updatedAt" LIMIT ${SWEEP_BATCH}`,
    status,
    before.toISOString(),
  );
  return rows.map((r) => r.id);
}

/** A window as people say it: minutes, or seconds under one (tests run on a fast clock). */
function within(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} minutes` : `${Math.round(ms / 1000)} seconds`;
}

/**
 * Moves every order waiting in `status` since before `windowMs` ago, a batch
 * per transaction; answers how many moved (a move refused meanwhile is not counted).
 */
async function sweep(
  status: 'PENDING_PAYMENT' | 'PLACED',
  windowMs: number,
  now: Date,
  move: Omit<OrderMove, 'orderId'>,
): Promise<number> {
  let total = 0;
  for (;;) {
    const ids = await overdue(status, new Date(now.getTime() - windowMs));
    if (!ids.length) return total;
    const answers = await sql.$transaction((tx) =>
      moveOrders(
        tx,
        ids.map((orderId) => ({ ...move, orderId })),
      ),
    );
    const moved = answers.filter((answer) => !(answer instanceof Error)).length;
    total += moved;
    if (ids.length < SWEEP_BATCH || moved === 0) return total;
  }
}

/** One sweep: every overdue order expired or rejected, a batch at a time. `now` is the clock's (tests move it). */
export async function expireOrders(now = new Date()): Promise<ExpiredOrders> {
  const { ORDERS_PAYMENT_WINDOW_MS: payment, ORDERS_ACCEPT_WINDOW_MS: accept } = ordersConfig();
  const system = { actor: 'SYSTEM', actorId: null } as const;
  return {
    expired: await sweep('PENDING_PAYMENT', payment, now, {
      ...system,
      transition: 'expire',
      reason: `Not paid within ${within(payment)}`,
    }),
    rejected: await sweep('PLACED', accept, now, {
      ...system,
      transition: 'reject',
      reason: `The shop did not accept within ${within(accept)}`,
    }),
  };
}
