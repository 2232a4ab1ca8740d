/*
 * The shape every event takes, generic over the event map of the system that
 * uses this package: a map from each event type to its payload type. The
 * package knows no event, domain or queue by name; the routes and the
 * consumers are handed in.
 */

/** The event types of an event map. */
export type EventType<M> = keyof M & string;

/**
 * What travels on a queue. `version` is the version of the aggregate
 * (`aggregateId`) after the change, so a consumer can ignore an event older
 * than what it already applied.
 */
export interface EventEnvelope<M, T extends EventType<M> = EventType<M>> {
  id: string;
  type: T;
  version: number;
  occurredAt: string;
  aggregateId: string;
  payload: M[T];
  /** The W3C traceparent of the work that wrote it (relayed and consumed in the same trace), when traced. */
  trace?: string;
  /** The request its chain of events started from: on the log lines of every consumer that applies it, and of what they write. */
  correlationId?: string;
}

/** An event about to be written to an outbox: its envelope less the id and time the outbox gives it. */
export interface NewEvent<M, T extends EventType<M> = EventType<M>> {
  type: T;
  aggregateId: string;
  version: number;
  payload: M[T];
}

/** Fan-out: the consumers (queue names) that receive each event type. */
export type Routes<M> = { readonly [T in EventType<M>]: readonly string[] };
