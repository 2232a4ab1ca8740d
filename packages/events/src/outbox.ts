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
 */
export async function appendToOutbox(tx: SqlTransaction, events: NewEvent[]): Promise<EventEnvelope[]> {
  const occurredAt = new Date().toISOString();
  const envelopes = events.map((e) => ({ id: randomUUID(), occurredAt, ...e }) as EventEnvelope);
  for (const envelope of envelopes) {
    await tx.$executeRawUnsafe(
      `INSERT INTO "OutboxEvent" ("id", "type", "version", "aggregateId", "payload", "occurredAt")
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::timestamptz AT TIME ZONE 'UTC')`,
      envelope.id,
      envelope.type,
      envelope.version,
      envelope.aggregateId,
      JSON.stringify(envelope.payload),
      envelope.occurredAt,
    );
  }
  if (envelopes.length) await tx.$executeRawUnsafe(`NOTIFY ${OUTBOX_CHANNEL}`);
  return envelopes;
}
