import Redis from 'ioredis';
import { CONSUMERS, type Consumer } from '@baedal/contracts';
import { listDeadLetters, replayDeadLetters, type DomainWorker } from '@baedal/events';
import { redisPrefix, redisUrl } from '@baedal/platform';
import { domainWorkers } from './domains';

const USAGE = `usage:
  npm run events -- dlq list [consumer]            failed jobs that used up their retries
  npm run events -- dlq replay <consumer> [jobId]  process them (or one) again
  npm run projections -- rebuild [--if-empty]       rebuild the customer query model from events
  npm run coupons -- reconcile [campaignId]        make Redis and Postgres agree on coupon claims
consumers: ${CONSUMERS.join(', ')}`;

function consumerArg(value: string | undefined): Consumer {
  if (!value || !(CONSUMERS as readonly string[]).includes(value)) {
    throw new Error(`unknown consumer "${value ?? ''}"\n${USAGE}`);
  }
  return value as Consumer;
}

async function dlq(args: string[]): Promise<void> {
  const redis = new Redis(redisUrl(), { maxRetriesPerRequest: null });
  try {
    const [action, consumer, jobId] = args;
    if (action === 'list') {
      const consumers = consumer ? [consumerArg(consumer)] : [...CONSUMERS];
      for (const c of consumers) {
        for (const letter of await listDeadLetters(c, redis, redisPrefix())) {
          const { jobId: id, type, attempts, failedAt, failedReason } = letter;
          console.log(`${letter.consumer}\t${id}\t${type}\tattempts=${attempts}\t${failedAt ?? ''}\t${failedReason}`);
        }
      }
    } else if (action === 'replay') {
      const replayed = await replayDeadLetters(consumerArg(consumer), redis, redisPrefix(), jobId);
      console.log(`replayed ${replayed} job(s)`);
    } else throw new Error(USAGE);
  } finally {
    redis.disconnect();
  }
}

/**
 * Empties every projection a domain rebuilds from events (the customer query
 * model) and asks every domain to publish the current state of each of its
 * aggregates; the projections build again from those events (and the orders
 * replica catches up from the same ones).
 */
async function rebuild(ifEmpty: boolean): Promise<void> {
  const domains = domainWorkers();
  try {
    const projections = domains.all.flatMap((domain) => (domain.projection ? [domain.projection] : []));
    const empty = await Promise.all(projections.map((projection) => projection.isEmpty()));
    if (ifEmpty && !empty.every(Boolean)) {
      console.log('query model present');
      return;
    }
    for (const projection of projections) await projection.reset();
    const counts: string[] = [];
    for (const [name, domain] of Object.entries<DomainWorker>(domains.byName)) {
      if (domain.publishSnapshots) counts.push(`${await domain.publishSnapshots()} from ${name}`);
    }
    console.log(`published snapshots: ${counts.join(', ')}; workers rebuild the query model from them`);
  } finally {
    await Promise.all(domains.all.map((domain) => domain.close()));
  }
}

async function reconcileCoupons(campaignId?: string): Promise<void> {
  const domains = domainWorkers();
  try {
    for (const report of await domains.byName.payments.reconcileCoupons(campaignId)) {
      const { persistedFromRedis, restoredToRedis, remaining } = report;
      console.log(
        `${report.campaignId}: persisted ${persistedFromRedis} claim(s) from Redis, restored ${restoredToRedis} to Redis, ${remaining} left`,
      );
    }
  } finally {
    await Promise.all(domains.all.map((domain) => domain.close()));
  }
}

async function main(argv: string[]): Promise<void> {
  const [area, ...rest] = argv;
  if (area === 'coupons' && rest[0] === 'reconcile') return reconcileCoupons(rest[1]);
  if (area === 'events' && rest[0] === 'dlq') return dlq(rest.slice(1));
  if (area === 'projections' && rest[0] === 'rebuild') return rebuild(rest.includes('--if-empty'));
  throw new Error(USAGE);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
