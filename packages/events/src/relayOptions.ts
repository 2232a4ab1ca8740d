import type Redis from 'ioredis';
import type { Logger } from '@baedal/platform';
import type { Retries } from './config';
import type { Routes } from './envelope';

/** What an OutboxRelay is told: its database, its Redis, the routes, and how it paces its rounds. */
export interface RelayOptions<M> {
  /** The publishing domain, e.g. "shops": names the sentinel and the logs. */
  source: string;
  databaseUrl: string;
  redis: Redis;
  prefix: string;
  log: Logger;
  /** Which consumers' queues receive each event type. */
  routes: Routes<M>;
  /** Consumers whose events travel one to a job (their consumer applies each alone, side by side). */
  oneEventPerJob?: readonly string[];
  /** Retries of the jobs it queues (the settings' unless given). */
  retries?: Retries;
  /**
   * Most events marked and published in one round.
   * @defaultValue 500
   */
  batchSize?: number;
  /**
   * The relay polls this often even without a notification, in milliseconds.
   * @defaultValue 1000
   */
  pollMs?: number;
  /**
   * Rounds start at most this often, in milliseconds (0: at every notification). While events
   * keep coming, a round then carries all that committed meanwhile: fewer
   * rounds, and bursts the consumers apply in fewer transactions.
   * @defaultValue 0
   */
  minIntervalMs?: number;
  /**
   * Most events in one job (a consumer in `oneEventPerJob` gets one whatever this says).
   * @defaultValue EVENTS_PER_JOB (64)
   */
  eventsPerJob?: number;
  /**
   * After Redis comes back empty, events relayed within this window (milliseconds) are relayed again.
   * @defaultValue 24 hours
   */
  redeliverWindowMs?: number;
}
