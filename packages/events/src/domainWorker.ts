import type { ConnectionOptions, Worker } from 'bullmq';
import type { Logger, QueryModelChange } from '@baedal/platform';
import { startConsumer, type ConsumerSpec } from './consumer';
import type { SqlTransaction } from './outbox';

/*
 * What a domain hands the workers process: its declared worker entry
 * (subgraphs/<name>/src/worker.ts) returns one of these. The workers process
 * reaches a domain through nothing else, so a domain's tables are written
 * only by that domain's code.
 */

/** What every consumer of the workers process is started with. */
export interface ConsumerRuntime {
  connection: ConnectionOptions;
  prefix: string;
  log: Logger;
  /** See ConsumerOptions.lingerMs. */
  lingerMs?: number;
}

/** A consumer as declared by its domain, ready to start. */
export interface DeclaredConsumer {
  consumer: string;
  oneEventPerJob: boolean;
  /** The event types it has handlers for (checked against the routes). */
  handles: readonly string[];
  /** What each applied job changes in the customer query model, to tell the gateways' caches. */
  announces?: QueryModelChange;
  start(runtime: ConsumerRuntime): Worker;
}

/** Declares a consumer; `announces` says what its applied jobs change in the query model. */
export function declareConsumer<M, Tx extends SqlTransaction>(
  spec: ConsumerSpec<M, Tx>,
  announces?: QueryModelChange,
): DeclaredConsumer {
  return {
    consumer: spec.consumer,
    oneEventPerJob: spec.oneEventPerJob ?? false,
    handles: Object.keys(spec.handlers),
    announces,
    start: (runtime) => startConsumer({ ...spec, ...runtime }),
  };
}

/**
 * declareConsumer for the events of one system, whose map M then need not be
 * inferred: `const declareConsumer = consumersOf<MyEvents>();`.
 */
export function consumersOf<M>() {
  return <Tx extends SqlTransaction>(spec: ConsumerSpec<M, Tx>, announces?: QueryModelChange) =>
    declareConsumer(spec, announces);
}

/** A job the clock drives, run by one workers process per period. */
export interface PeriodicJob {
  name: string;
  everyMs: number;
  /** Does the work (logging what it did); answers what it changed in the query model, if anything. */
  run(log: Logger): Promise<QueryModelChange | null>;
}

/** A queue of plain jobs (not events) a domain works off. */
export interface JobQueue {
  queue: string;
  concurrency: number;
  process(data: unknown): Promise<void>;
}

/** A projection a domain keeps from events: emptied, it is built again from every domain's snapshots. */
export interface RebuildableProjection {
  isEmpty(): Promise<boolean>;
  /** Empties it and forgets which events it applied. */
  reset(): Promise<void>;
}

export interface DomainWorker {
  consumers: DeclaredConsumer[];
  projection?: RebuildableProjection;
  jobQueues?: JobQueue[];
  periodic?: PeriodicJob[];
  /** Publishes every aggregate's current state again, for rebuilding projections; answers how many. */
  publishSnapshots?(): Promise<number>;
  /** Releases the domain's connections. */
  close(): Promise<void>;
}
