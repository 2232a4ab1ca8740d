import { randomUUID } from 'node:crypto';
import { outboxInsert } from '@baedal/events';
import { DomainError, forbidden, notFound, roundsBy, type Identity } from '@baedal/platform';
import type { RawSql } from '@baedal/prisma/clients';
import type { Order } from '@baedal/prisma/orders';
import { db } from '../db';
import { actorFor } from '../domain/access';
import { decideTransition, orderStatusEvent, type TransitionRequest } from '../domain/lifecycle';

/** Raw statements only: consumers run them in driver transactions, changeOrder in Prisma's. */
type Tx = RawSql;

export type OrderMove = TransitionRequest & { orderId: string; actorId: string | null; paymentId?: string };

/**
 * Applies lifecycle steps to orders inside `tx`, in the order given: lock, decide,
 * write status, history and events together, in one statement per round however
 * many orders move. Each move's answer is its order after the step, or the domain
 * error that refused it (the other moves still happen).
 */
export async function moveOrders(tx: Tx, moves: OrderMove[]): Promise<(Order | DomainError)[]> {
  const ids = [...new Set(moves.map((m) => m.orderId))];
  // Locked in id order, so two batches moving the same orders cannot deadlock. Whole rows: while they are
  // locked, each step's order afterwards is decided here, so its event is written by the step's own statement.
  const locked = await tx.$queryRawUnsafe<Order[]>(
    'SELECT * FROM "Order" WHERE "id" = ANY($1::text[]) ORDER BY "id" FOR UPDATE',
    ids,
  );
  const orders = new Map(locked.map((o) => [o.id, o]));
  const answers: (Order | DomainError)[] = [];
  const decided: { index: number; after: Order; reason: string | null }[] = [];
  for (const [index, move] of moves.entries()) {
    const before = orders.get(move.orderId);
    try {
      if (!before) throw notFound('Order', move.orderId);
      const decision = decideTransition(before.status, move);
      const after: Order = {
        ...before,
        status: decision.status,
        version: before.version + 1,
        estimatedCookingMinutes: decision.estimatedCookingMinutes ?? before.estimatedCookingMinutes,
        paymentId: move.paymentId ?? before.paymentId,
      };
      orders.set(move.orderId, after);
      decided.push({ index, after, reason: decision.reason });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      answers[index] = error;
    }
  }
  // One statement per round; an order that moves twice in one call moves in a later round,
  // a millisecond later, so its history and its events keep the order of its steps.
  const start = Date.now();
  for (const [roundNo, round] of roundsBy(decided, (d) => d.after.id).entries()) {
    const at = new Date(start + roundNo).toISOString();
    const rows = round.map(({ index, after, reason }) => ({
      orderId: after.id,
      status: after.status,
      version: after.version,
      minutes: after.estimatedCookingMinutes,
      paymentId: after.paymentId,
      historyId: randomUUID(),
      reason,
      actorId: moves[index].actorId,
    }));
    const outbox = outboxInsert(
      round.map(({ after, reason }) => orderStatusEvent(after, after.status, after.version, reason)),
      3,
    );
    const moved = await tx.$queryRawUnsafe<Order[]>(
      `WITH step AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb)
           AS s("orderId" text, "status" text, "version" int, "minutes" int, "paymentId" text, "historyId" text, "reason" text, "actorId" text)),
       moved AS (
         UPDATE "Order" o SET
           "status" = step."status"::"OrderStatus",
           "version" = step."version",
           "estimatedCookingMinutes" = step."minutes",
           "paymentId" = step."paymentId",
           "updatedAt" = $2::timestamptz AT TIME ZONE 'UTC'
         FROM step WHERE o."id" = step."orderId"
         RETURNING o.*),
       noted AS (
         INSERT INTO "OrderStatusChange" ("id", "orderId", "status", "reason", "actorId", "at")
         SELECT step."historyId", step."orderId", step."status"::"OrderStatus", step."reason", step."actorId", $2::timestamptz AT TIME ZONE 'UTC'
           FROM step JOIN moved ON moved."id" = step."orderId"),
       events AS (${outbox.sql})
       SELECT * FROM moved`,
      JSON.stringify(rows),
      at,
      ...outbox.values,
    );
    const byId = new Map(moved.map((o) => [o.id, o]));
    for (const { index, after } of round) answers[index] = byId.get(after.id)!;
  }
  return answers;
}

/** Applies one lifecycle step inside `tx` (see moveOrders); throws the error that refused it. */
export async function transitionOrder(
  tx: Tx,
  orderId: string,
  request: TransitionRequest & { actorId: string | null; paymentId?: string },
): Promise<Order> {
  const [answer] = await moveOrders(tx, [{ ...request, orderId }]);
  if (answer instanceof DomainError) throw answer;
  return answer;
}

/** A caller's request to move an order: checks the caller's part in the order first. */
export async function changeOrder(
  identity: Identity,
  orderId: string,
  request: Omit<TransitionRequest, 'actor'>,
): Promise<Order> {
  const order = await db.order.findUnique({ where: { id: orderId } });
  if (!order) throw notFound('Order', orderId);
  const actor = actorFor(order, identity);
  if (!actor) throw forbidden('This order is not yours to change');
  return db.$transaction((tx) => transitionOrder(tx, orderId, { ...request, actor, actorId: identity.userId }));
}
