import type { EventPayloads } from '@baedal/contracts';
import { consumersOf, type DomainWorker } from '@baedal/events';
import { createReviewsClient } from '@baedal/prisma/reviews';
import { eligibility, publishSnapshots } from './events';

const declareConsumer = consumersOf<EventPayloads>();

/** What the workers process runs of reviews: the "reviews" consumer (reviewable orders). */
export function reviewsWorker(): DomainWorker {
  const db = createReviewsClient(undefined, 3);
  return {
    consumers: [
      declareConsumer({ consumer: 'reviews', handlers: eligibility, transaction: (work) => db.$transaction(work) }),
    ],
    publishSnapshots: () => publishSnapshots(db),
    close: () => db.$disconnect(),
  };
}
