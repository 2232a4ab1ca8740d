import { randomUUID } from 'node:crypto';
import type { EventEnvelope, Handlers, ManyHandler, OrderEventType } from '@baedal/contracts';
import { roundsBy } from '@baedal/platform';
import type { RawSql } from '@baedal/prisma/clients';
import type { Payment } from '@baedal/prisma/payments';
import { refundPayment } from './commands/refund';

/*
 * Payments publishes payment.approved and payment.declined (from commands.ts),
 * and payment.adTopUp.approved. It keeps who owns each shop from shop events
 * (a top-up is for the owner's own shop). It consumes order events into a ledger of each order's newest known state
 * (payOrder reads totals and owners from it), records the payment of an order
 * placed by the development switch, and refunds a paid order that is rejected,
 * canceled or expired, or whose payment orders refused, exactly once. Coupon claims arrive on their own queue (worker.ts).
 */

/** Handlers use raw statements only, so they run in the workers' driver transactions and in Prisma's alike. */
type Tx = RawSql;

/**
 * Records the orders' newer states (a cancel always sticks), a statement per
 * round (roundsBy); answers, per event, whether it was newer than the ledger.
 * The first round has the first event of every order in the batch, each
 * further round the next event of orders that have one, so all of a batch's
 * ledger rows are locked by its first statement, in order: two batches in two
 * workers cannot deadlock (each deadlock stalled both for a second).
 */
async function advanceLedger(tx: Tx, events: EventEnvelope<OrderEventType>[], canceled: boolean): Promise<boolean[]> {
  const advanced = new Array<boolean>(events.length);
  for (const round of roundsBy([...events.keys()], (i) => events[i].payload.orderId)) {
    const rows = round
      .map((i) => events[i])
      .map((e) => ({
        orderId: e.payload.orderId,
        customerId: e.payload.customerId,
        shopOwnerId: e.payload.shopOwnerId ?? null,
        total: e.payload.total,
        version: e.version,
      }));
    // An upsert locks each row as SELECT ... FOR UPDATE would, in id order. Versions of one order are
    // distinct, so a row holds the event's version afterwards exactly when the event was newer. A newer
    // event's total and customer replace those a signed charge opened the row with (version 0).
    const ledgers = await tx.$queryRawUnsafe<{ orderId: string; version: number }[]>(
      `INSERT INTO "OrderLedger" AS l ("orderId", "customerId", "shopOwnerId", "total", "version", "canceled")
       SELECT "orderId", "customerId", "shopOwnerId", "total", "version", $1::boolean
         FROM jsonb_to_recordset($2::jsonb) AS e("orderId" text, "customerId" text, "shopOwnerId" text, "total" int, "version" int)
        ORDER BY "orderId"
       ON CONFLICT ("orderId") DO UPDATE SET
         "version" = GREATEST(l."version", EXCLUDED."version"),
         "total" = CASE WHEN l."version" < EXCLUDED."version" THEN EXCLUDED."total" ELSE l."total" END,
         "customerId" = CASE WHEN l."version" < EXCLUDED."version" THEN EXCLUDED."customerId" ELSE l."customerId" END,
         "shopOwnerId" = COALESCE(l."shopOwnerId", EXCLUDED."shopOwnerId"),
         "canceled" = l."canceled" OR EXCLUDED."canceled"
       RETURNING "orderId", "version"`,
      canceled,
      JSON.stringify(rows),
    );
    const now = new Map(ledgers.map((l) => [l.orderId, l.version]));
    for (const i of round) advanced[i] = now.get(events[i].payload.orderId) === events[i].version;
  }
  return advanced;
}

/**
 * Orders created and placed, in one call however they interleave: their
 * ledgers advance together, and an order placed by the development switch
 * (no payment of its own) gets one recorded, so that a cancel has something to refund.
 */
async function applyOrderProgress(tx: Tx, events: EventEnvelope<'order.created' | 'order.placed'>[]): Promise<void> {
  const advanced = await advanceLedger(tx, events, false);
  for (const e of events.filter((e, i) => advanced[i] && e.type === 'order.placed' && !e.payload.paymentId)) {
    await tx.$executeRawUnsafe(
      `INSERT INTO "Payment" ("id", "orderId", "customerId", "amount", "discount", "method", "status", "idempotencyKey", "createdAt", "updatedAt")
       SELECT $1, $2, $3, $4, 0, 'DEV_AUTO_APPROVED', 'APPROVED', NULL, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
        WHERE NOT EXISTS (SELECT 1 FROM "Payment" WHERE "orderId" = $2)
       ON CONFLICT DO NOTHING`,
      randomUUID(),
      e.payload.orderId,
      e.payload.customerId,
      e.payload.total,
    );
  }
}

async function refundOrder(
  tx: Tx,
  e: EventEnvelope<'order.canceled' | 'order.rejected' | 'order.expired'>,
): Promise<void> {
  await advanceLedger(tx, [e], true);
  // A payment settling meanwhile is either seen APPROVED here or sees the cancel itself (settle, commands.ts).
  const [payment] = await tx.$queryRawUnsafe<Payment[]>(
    `SELECT * FROM "Payment" WHERE "orderId" = $1 AND "status" = 'APPROVED' LIMIT 1`,
    e.payload.orderId,
  );
  if (!payment) return;
  // The provider refund is idempotent by key; the refund record commits with this event's bookkeeping.
  await refundPayment(payment, e.payload.reason ?? e.type, tx);
}

/** A payment orders found not to match its order (another customer's, or not its total) is refunded, once. */
async function refundRefused(tx: Tx, e: EventEnvelope<'payment.refused'>): Promise<void> {
  const [payment] = await tx.$queryRawUnsafe<Payment[]>('SELECT * FROM "Payment" WHERE "id" = $1', e.payload.paymentId);
  if (payment) await refundPayment(payment, `orders refused it: ${e.payload.reason}`, tx);
}

/** One handler for both, so a batch's created and placed orders are applied by one call (see advanceLedger). */
const orderProgress: ManyHandler<Tx, 'order.created' | 'order.placed'> = {
  many: (events, tx) => applyOrderProgress(tx, events),
};

/** Who owns a shop, newest version wins: a top-up is checked against it. */
async function recordShopOwner(
  tx: Tx,
  e: EventEnvelope<'shop.registered' | 'shop.updated' | 'shop.opened' | 'shop.closed'>,
) {
  await tx.$executeRawUnsafe(
    `INSERT INTO "ShopOwner" ("shopId", "ownerId", "version") VALUES ($1, $2, $3)
     ON CONFLICT ("shopId") DO UPDATE SET "ownerId" = EXCLUDED."ownerId", "version" = EXCLUDED."version"
      WHERE "ShopOwner"."version" < EXCLUDED."version"`,
    e.payload.shopId,
    e.payload.ownerId,
    e.version,
  );
}

/** Consumer "payments". */
export const orderPayments: Handlers<Tx> = {
  'shop.registered': (e, tx) => recordShopOwner(tx, e),
  'shop.updated': (e, tx) => recordShopOwner(tx, e),
  'shop.opened': (e, tx) => recordShopOwner(tx, e),
  'shop.closed': (e, tx) => recordShopOwner(tx, e),
  'order.created': orderProgress,
  'order.placed': orderProgress,
  'order.rejected': (e, tx) => refundOrder(tx, e),
  'order.canceled': (e, tx) => refundOrder(tx, e),
  // An order that expired unpaid: a charge that raced the expiry is refunded, and its coupon given back.
  'order.expired': (e, tx) => refundOrder(tx, e),
  'payment.refused': (e, tx) => refundRefused(tx, e),
};
