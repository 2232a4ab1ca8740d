import { adsWorker } from '@baedal/ads/worker';
import type { DomainWorker } from '@baedal/events';
import { ordersWorker } from '@baedal/orders/worker';
import { paymentsWorker } from '@baedal/payments/worker';
import { reviewsWorker } from '@baedal/reviews/worker';
import { shopsWorker } from '@baedal/shops/worker';

/*
 * The domains the workers process runs, each through its declared worker
 * entry (subgraphs/<name>/src/worker.ts): the only way in (a boundary check
 * holds workers/ to it), so each domain's tables are written by its own code.
 */
export function domainWorkers() {
  const byName = {
    shops: shopsWorker(),
    ads: adsWorker(),
    orders: ordersWorker(),
    payments: paymentsWorker(),
    reviews: reviewsWorker(),
  };
  const all: DomainWorker[] = Object.values(byName);
  return { byName, all };
}
