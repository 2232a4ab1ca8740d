import { randomUUID } from 'node:crypto';
import type { EventEnvelope, EventPayloads, EventType } from './catalog';

/** The part of a Prisma transaction client the outbox needs; every generated client has it. */
export interface SqlTransaction {
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
}

export interface NewEvent<T extends EventType = EventType> {
  type: T;
  aggregateId: string;
  version: number;
  payload: EventPayloads[T];
}

export const OUTBOX_CHANNEL = 'baedal_outbox';

/** Builds a typed event; keeps call sites short. */
export function event<T extends EventType>(type: T, aggregateId: string, version: number, payload: EventPayloads[T]): NewEvent<T> {
  return { type, aggregateId, version, payload };
}

/**
 * Writes events into the domain's outbox inside the caller's transaction, so
 * they exist exactly when the change they describe commits. NOTIFY wakes the
 * relay at commit; the relay also polls, so a lost notification only delays.
 * One statement, however many events: the rows and the notification together.
 */
export async function appendToOutbox(tx: SqlTransaction, events: NewEvent[]): Promise<EventEnvelope[]> {
  if (events.length === 0) return [];
  const occurredAt = new Date().toISOString();
  const envelopes = events.map((e) => ({ id: randomUUID(), occurredAt, ...e }) as EventEnvelope);
  // Rows come out of unnest in the given order, so "seq" keeps it: consumers of one aggregate rely on that.
  await tx.$executeRawUnsafe(
    `WITH appended AS (
       INSERT INTO "OutboxEvent" ("id", "type", "version", "aggregateId", "payload", "occurredAt")
       SELECT "id", "type", "version", "aggregateId", "payload"::jsonb, $6::timestamptz AT TIME ZONE 'UTC'
         FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[]) AS e("id", "type", "version", "aggregateId", "payload")
       RETURNING 1)
     SELECT pg_notify('${OUTBOX_CHANNEL}', '') FROM (SELECT 1 FROM appended LIMIT 1) AS any_appended`,
    envelopes.map((e) => e.id),
    envelopes.map((e) => e.type),
    envelopes.map((e) => e.version),
    envelopes.map((e) => e.aggregateId),
    envelopes.map((e) => JSON.stringify(e.payload)),
    occurredAt,
  );
  return envelopes;
}
