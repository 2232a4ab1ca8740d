import Redis from 'ioredis';
import { publishSnapshots as publishAdSnapshots } from '@baedal/ads/events';
import { CONSUMERS, listDeadLetters, replayDeadLetters, type Consumer } from '@baedal/events';
import { redisPrefix, redisUrl } from '@baedal/platform';
import { createAdsClient } from '@baedal/prisma/ads';
import { createPaymentsClient } from '@baedal/prisma/payments';
import { createReviewsClient } from '@baedal/prisma/reviews';
import { createShopsClient } from '@baedal/prisma/shops';
import { publishSnapshots as publishRatingSnapshots } from '@baedal/reviews/events';
import { publishSnapshots as publishShopSnapshots } from '@baedal/shops/events';

const USAGE = `usage:
  npm run events -- dlq list [consumer]            failed jobs that used up their retries
  npm run events -- dlq replay <consumer> [jobId]  process them (or one) again
  npm run projections -- rebuild [--if-empty]       rebuild the customer query model from events
  npm run coupons -- reconcile [campaignId]        make Redis and Postgres agree on coupon claims
consumers: ${CONSUMERS.join(', ')}`;

function consumerArg(value: string | undefined): Consumer {
  if (!value || !(CONSUMERS as readonly string[]).includes(value))
    throw new Error(`unknown consumer "${value ?? ''}"\n${USAGE}`);
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
          console.log(
            `${letter.consumer}\t${letter.jobId}\t${letter.type}\tattempts=${letter.attempts}\t${letter.failedAt ?? ''}\t${letter.failedReason}`,
          );
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
 * Empties the query model and asks shops, ads and reviews to publish the
 * current state of every aggregate; the projection builds the model again
 * from those events (and the orders replica catches up from the same ones).
 */
async function rebuild(ifEmpty: boolean): Promise<void> {
  const shops = createShopsClient(undefined, 2);
  const ads = createAdsClient(undefined, 2);
  const reviews = createReviewsClient(undefined, 2);
  try {
    if (ifEmpty && (await shops.shopView.count()) > 0) {
      console.log('query model present');
      return;
    }
    await shops.$transaction([
      shops.shopListing.deleteMany(),
      shops.shopView.deleteMany(),
      shops.processedEvent.deleteMany({ where: { consumer: 'shops' } }),
    ]);
    const counts = [
      await publishShopSnapshots(shops),
      await publishAdSnapshots(ads),
      await publishRatingSnapshots(reviews),
    ];
    console.log(
      `published snapshots: ${counts[0]} shops, ${counts[1]} shops with ads, ${counts[2]} shops with reviews; workers rebuild the query model from them`,
    );
  } finally {
    await Promise.all([shops.$disconnect(), ads.$disconnect(), reviews.$disconnect()]);
  }
}

async function reconcileCoupons(campaignId?: string): Promise<void> {
  const { reconcileCampaign, closeCoupons } = await import('@baedal/payments/coupons');
  const payments = createPaymentsClient(undefined, 2);
  try {
    const ids = campaignId
      ? [campaignId]
      : (await payments.couponCampaign.findMany({ select: { id: true } })).map((c) => c.id);
    for (const id of ids) {
      const report = await reconcileCampaign(payments, id);
      console.log(
        `${report.campaignId}: persisted ${report.persistedFromRedis} claim(s) from Redis, restored ${report.restoredToRedis} to Redis, ${report.remaining} left`,
      );
    }
  } finally {
    await payments.$disconnect();
    await closeCoupons();
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
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
