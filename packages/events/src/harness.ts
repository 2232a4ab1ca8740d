import Redis from 'ioredis';
import { Queue, type Job, type JobType } from 'bullmq';
import pino from 'pino';
import { postgresServerUrl, redisUrl as configuredRedisUrl } from '@baedal/platform';
import { dropDatabase, ensureDatabase, migrate } from '@baedal/prisma';
import { createPaymentsClient } from '@baedal/prisma/payments';
import type { Retries } from './config';
import type { EventEnvelope as Envelope, Routes } from './envelope';
import { eventBuilder } from './outbox';
import type { EventsJob } from './queues';
import { OutboxRelay } from './relay';
import type { RelayOptions } from './relayOptions';

/*
 * What the integration tests of the outbox, relay and consumer share: a
 * database and a Redis key prefix of their own, and an event map of their
 * own (the package knows no system's events). The payments database stands
 * in for any domain: every one has the same OutboxEvent and ProcessedEvent tables.
 */

/** The events these tests publish, named as a delivery platform's might be; payloads are whatever they carry. */
export interface TestEvents {
  'shop.updated': { shopId: string; name: string; isOpen: boolean };
  'shop.closed': { shopId: string; name: string; isOpen: boolean };
  'menu.updated': { shopId: string; groups: unknown[] };
  'review.stats.changed': { shopId: string; reviewCount: number; ratingSum: number };
  'ad.placement.changed': { shopId: string; placements: unknown[] };
  'order.accepted': { orderId: string; status: string };
}

export const ROUTES: Routes<TestEvents> = {
  'shop.updated': ['shops', 'orders', 'ads'],
  'shop.closed': ['shops', 'orders', 'ads'],
  'menu.updated': ['shops', 'orders'],
  'review.stats.changed': ['shops'],
  'ad.placement.changed': ['shops'],
  'order.accepted': ['delivery'],
};
/** The consumer whose events travel one to a job (a rider simulator, say). */
export const ONE_EVENT_PER_JOB = ['delivery'];
/** Jobs get 2 attempts, 20 ms apart, so a dead letter comes soon. */
export const FAST_RETRIES: Retries = { attempts: 2, backoffMs: 20 };

export type EventEnvelope<T extends keyof TestEvents = keyof TestEvents> = Envelope<TestEvents, T>;
export const event = eventBuilder<TestEvents>();

export const log = pino({ level: 'silent' });
export let url: string;
export let db: ReturnType<typeof createPaymentsClient>;
export let redis: Redis;
export let prefix: string;
let testNo = 0;

/** Gives the calling test file a migrated database and Redis; each test gets a fresh prefix and empty tables. */
export function useEventsDatabase(file: string): void {
  const name = `baedal_events_${file}_${process.pid}`;
  url = `${postgresServerUrl()}/${name}`;
  beforeAll(async () => {
    await dropDatabase(name);
    await ensureDatabase(name);
    await migrate('payments', url);
    db = createPaymentsClient(url, 3);
    redis = new Redis(configuredRedisUrl(), { maxRetriesPerRequest: null });
  });
  beforeEach(async () => {
    prefix = `baedal_events_test_${file}_${process.pid}_${++testNo}`;
    await db.outboxEvent.deleteMany();
    await db.processedEvent.deleteMany();
  });
  afterEach(async () => deletePrefix(prefix));
  afterAll(async () => {
    await db.$disconnect();
    redis.disconnect();
    await dropDatabase(name);
  });
}

export const info = (shopId: string) => ({ shopId, name: 'n', isOpen: true });

export async function deletePrefix(p: string) {
  const keys = await redis.keys(`${p}:*`);
  if (keys.length) await redis.del(...keys);
}

export function relay(overrides: Partial<RelayOptions<TestEvents>> = {}) {
  const defaults = { routes: ROUTES, oneEventPerJob: ONE_EVENT_PER_JOB, retries: FAST_RETRIES };
  return new OutboxRelay<TestEvents>({
    source: 'test',
    databaseUrl: url,
    redis,
    prefix,
    log,
    ...defaults,
    ...overrides,
  });
}

/** A consumer's jobs in the given states, oldest first. */
export async function jobsIn(
  consumer: string,
  states: JobType[] = ['waiting', 'active', 'completed', 'failed', 'delayed'],
): Promise<Job<EventsJob<TestEvents>>[]> {
  const queue = new Queue<EventsJob<TestEvents>>(consumer, { connection: redis, prefix });
  try {
    return await queue.getJobs(states, 0, -1, true);
  } finally {
    await queue.close();
  }
}

export async function jobIds(consumer: string): Promise<string[]> {
  return (await jobsIn(consumer)).map((j) => String(j.id)).sort();
}

/** The events a consumer's jobs in `states` (waiting ones unless told) carry, job by job, in queue order. */
export async function queuedEvents(consumer: string, states: JobType[] = ['waiting']): Promise<string[][]> {
  return (await jobsIn(consumer, states)).map((j) => j.data.events.map((e) => e.id));
}

export async function unrelayed(): Promise<number> {
  return db.outboxEvent.count({ where: { relayedAt: null } });
}

export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
