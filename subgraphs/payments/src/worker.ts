import type { EventPayloads } from '@baedal/contracts';
import { consumersOf, type DomainWorker } from '@baedal/events';
import { CLAIMS_QUEUE, closeCoupons, persistClaim, reconcileCampaign, type ReconcileReport } from './commands/coupons';
import { db, sql } from './db';
import { orderPayments } from './events';

const declareConsumer = consumersOf<EventPayloads>();

export interface PaymentsWorker extends DomainWorker {
  /** Makes Redis and Postgres agree on a campaign's claims (all campaigns' when none is named). */
  reconcileCoupons(campaignId?: string): Promise<ReconcileReport[]>;
}

/**
 * What the workers process runs of payments: the "payments" consumer (the
 * order ledger, refunds; driver transactions on the subgraph's own pool), and
 * the persistence of coupon claims decided in Redis.
 */
export function paymentsWorker(): PaymentsWorker {
  return {
    consumers: [
      // Set-based: a batch of 64 costs little more than one of 16 (docs/performance.md, P29).
      declareConsumer({
        consumer: 'payments',
        handlers: orderPayments,
        transaction: (work) => sql.$transaction(work),
        batch: 64,
      }),
    ],
    jobQueues: [
      {
        queue: CLAIMS_QUEUE,
        concurrency: 16,
        process: async (claim) => void (await persistClaim(db, claim as Parameters<typeof persistClaim>[1])),
      },
    ],
    reconcileCoupons: async (campaignId) => {
      const ids = campaignId
        ? [campaignId]
        : (await db.couponCampaign.findMany({ select: { id: true } })).map((c) => c.id);
      const reports = [];
      for (const id of ids) reports.push(await reconcileCampaign(db, id));
      return reports;
    },
    close: async () => {
      await closeCoupons();
      await db.$disconnect();
    },
  };
}
