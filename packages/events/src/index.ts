/*
 * The event mechanism every domain shares, generic over an event map: the
 * transactional outbox and its relay, the idempotent consumer, the queues and
 * the dead-letter tools. It names no event, domain or queue; the system that
 * uses it hands in its routes and its consumers (Baedal's are in @baedal/contracts).
 */
export { OutboxRelay } from './relay';
export type { RelayOptions } from './relayOptions';
export {
  appendToOutbox,
  eventBuilder,
  outboxInsert,
  OUTBOX_CHANNEL,
  type OutboxInsert,
  type SqlTransaction,
} from './outbox';
export { startConsumer, type ConsumerOptions, type ConsumerSpec } from './consumer';
export {
  applyBatch,
  applyOnce,
  batcher,
  type ApplyResult,
  type Handler,
  type Handlers,
  type ManyHandler,
  type RunInTransaction,
} from './apply';
export { EVENTS_PER_JOB, eventJobs, jobOptions, openQueue, type EventsJob } from './queues';
export { listDeadLetters, replayDeadLetter, replayDeadLetters, type DeadLetter } from './dlq';
export {
  consumersOf,
  declareConsumer,
  type ConsumerRuntime,
  type DeclaredConsumer,
  type DomainWorker,
  type JobQueue,
  type PeriodicJob,
  type RebuildableProjection,
} from './domainWorker';
export { routeMismatches } from './routes';
export { consumerLag, observeOutboxes, observeQueues, type OutboxBacklog } from './metrics';
export { configuredRetries, eventsConfig, retentionSettings, type Retries } from './config';
export { expireDeadLetters, pruneProcessedEvents, pruneRelayedOutbox } from './retention';
export type { EventEnvelope, EventType, NewEvent, Routes } from './envelope';
