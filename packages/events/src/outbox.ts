import { randomUUID } from 'node:crypto';
import { currentTraceParent, logScope } from '@baedal/platform';
import type { EventEnvelope, EventType, NewEvent } from './envelope';

/** The part of a Prisma transaction client the outbox needs; every generated client has it. */
export interface SqlTransaction {
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

export const OUTBOX_CHANNEL = 'baedal_outbox';

/** A typed event builder for the event map M: `eventBuilder<MyEvents>()('shop.updated', id, version, payload)`. */
export function eventBuilder<M>() {
  return <T extends EventType<M>>(type: T, aggregateId: string, version: number, payload: M[T]): NewEvent<M, T> => ({
    type,
    aggregateId,
    version,
    payload,
  });
}

/** Events ready to be written: their envelopes, and the insert that writes them with its values (see outboxInsert). */
export interface OutboxInsert<M> {
  envelopes: EventEnvelope<M>[];
  /** An INSERT statement, to run alone or to embed in a command's own statement as a WITH item. */
  sql: string;
  values: unknown[];
}

/**
 * The insert that writes `events` into the domain's outbox, numbering its
 * placeholders from `firstParam`, so a command can write its change and its
 * events in one statement (atomic without BEGIN and COMMIT). It also NOTIFYs
 * the relay, which Postgres delivers only at commit; the relay also polls, so
 * a lost notification only delays. `events` must not be empty. `onlyIf`, an
 * SQL condition, writes them only when it holds (e.g. when the statement's
 * update found its row); it may name an event's columns as e."aggregateId"
 * and so on, so a batch writes only the events of the rows it wrote.
 */
export function outboxInsert<M>(events: NewEvent<M>[], firstParam = 1, onlyIf?: string): OutboxInsert<M> {
  const occurredAt = new Date().toISOString();
  // The events continue the trace of the work that writes them (in a batch of several callers', the batch's).
  const trace = currentTraceParent();
  // …and carry on the chain's correlation id: the consumed event's, or the request's that started it.
  const scope = logScope();
  const correlationId = scope?.correlationId ?? scope?.requestId;
  const envelopes: EventEnvelope<M>[] = events.map((e) => ({
    id: randomUUID(),
    occurredAt,
    ...e,
    trace,
    correlationId,
  }));
  const $ = (i: number) => `$${firstParam + i}`;
  // Rows come out of unnest in the given order, so "seq" keeps it: consumers of one aggregate rely on that.
  // The one-row subquery notifies once per insert.
  const sql = `INSERT INTO "OutboxEvent" ("id", "type", "version", "aggregateId", "payload", "occurredAt", "trace", "correlationId")
       SELECT e."id", e."type", e."version", e."aggregateId", e."payload"::jsonb, ${$(5)}::timestamptz AT TIME ZONE 'UTC', ${$(6)}::text, ${$(7)}::text
         FROM unnest(${$(0)}::text[], ${$(1)}::text[], ${$(2)}::int[], ${$(3)}::text[], ${$(4)}::text[]) AS e("id", "type", "version", "aggregateId", "payload"),
              (SELECT pg_notify('${OUTBOX_CHANNEL}', '')) AS notified${
                onlyIf
                  ? `
        WHERE ${onlyIf}`
                  : ''
              }`;
  const values = [
    envelopes.map((e) => e.id),
    envelopes.map((e) => e.type),
    envelopes.map((e) => e.version),
    envelopes.map((e) => e.aggregateId),
    envelopes.map((e) => JSON.stringify(e.payload)),
    occurredAt,
    trace ?? null,
    correlationId ?? null,
  ];
  return { envelopes, sql, values };
}

/**
 * Writes events into the domain's outbox inside the caller's transaction, so
 * they exist exactly when the change they describe commits. One statement,
 * however many events: the rows and the notification together.
 */
export async function appendToOutbox<M>(tx: SqlTransaction, events: NewEvent<M>[]): Promise<EventEnvelope<M>[]> {
  if (events.length === 0) return [];
  const insert = outboxInsert(events);
  await tx.$executeRawUnsafe(insert.sql, ...insert.values);
  return insert.envelopes;
}
