import type Redis from 'ioredis';
import { expireDeadLetters, openQueue, retentionSettings, type OutboxRelay } from '@baedal/events';
import type { Logger } from '@baedal/platform';
import { takeTurn } from './clock';

/*
 * Keeps what the events leave behind bounded (@baedal/events' retention.ts
 * says what is kept, and why that long): every BAEDAL_RETENTION_SWEEP_MS, one
 * workers process of the cluster prunes each database its relays serve and
 * expires each queue's old dead letters. A sweep that fails (a database
 * away) is tried again at the next.
 */

export interface RetentionSweep {
  stop(): Promise<void>;
}

export function startRetention<M>(
  relays: OutboxRelay<M>[],
  queueNames: string[],
  redis: Redis,
  prefix: string,
  log: Logger,
): RetentionSweep {
  const retention = retentionSettings();
  const queues = queueNames.map((name) => openQueue(name, redis, prefix));
  let sweeping: Promise<void> | null = null;

  const sweep = async () => {
    const now = Date.now();
    for (const relay of relays) {
      const pruned = await relay.prune(new Date(now - retention.outboxMs), new Date(now - retention.processedMs));
      if (pruned.outbox || pruned.processed) log.info({ database: relay.source, ...pruned }, 'pruned events');
    }
    for (const queue of queues) {
      const expired = await expireDeadLetters(queue, retention.deadLetterMs);
      if (expired) log.warn({ queue: queue.name, expired }, 'dead letters expired unreplayed');
    }
  };
  const timer = setInterval(() => {
    if (sweeping) return; // the last one still runs
    sweeping = takeTurn(redis, `${prefix}:retention`, retention.sweepMs)
      .then((mine) => (mine ? sweep() : undefined))
      .catch((error: unknown) => log.warn({ err: error }, 'retention sweep failed; trying at the next'))
      .finally(() => (sweeping = null));
  }, retention.sweepMs);

  return {
    async stop() {
      clearInterval(timer);
      await sweeping;
      await Promise.all(queues.map((queue) => queue.close()));
    },
  };
}
