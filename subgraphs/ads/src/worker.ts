import type { EventPayloads } from '@baedal/contracts';
import { consumersOf, type DomainWorker } from '@baedal/events';
import { createAdsClient } from '@baedal/prisma/ads';
import { ownership, publishSnapshots } from './events';

const declareConsumer = consumersOf<EventPayloads>();

/** What the workers process runs of ads: the "ads" consumer (who owns each shop). */
export function adsWorker(): DomainWorker {
  const db = createAdsClient(undefined, 3);
  return {
    consumers: [
      declareConsumer({ consumer: 'ads', handlers: ownership, transaction: (work) => db.$transaction(work) }),
    ],
    publishSnapshots: () => publishSnapshots(db),
    close: () => db.$disconnect(),
  };
}
