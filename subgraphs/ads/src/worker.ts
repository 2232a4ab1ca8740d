import type { EventPayloads } from '@baedal/contracts';
import { consumersOf, type DomainWorker } from '@baedal/events';
import { createAdsClient } from '@baedal/prisma/ads';
import { settleAdDays } from './commands';
import { adsConfig } from './config';
import { ownership, publishSnapshots } from './events';

const declareConsumer = consumersOf<EventPayloads>();

/** What the workers process runs of ads: the "ads" consumer (shop owners, top-ups) and the daily settlement. */
export function adsWorker(): DomainWorker {
  const db = createAdsClient(undefined, 3);
  return {
    consumers: [
      declareConsumer({ consumer: 'ads', handlers: ownership, transaction: (work) => db.$transaction(work) }),
    ],
    periodic: [
      {
        name: 'ad-settlement',
        everyMs: adsConfig().ADS_SETTLEMENT_MS,
        run: async (log) => {
          const { days } = await settleAdDays();
          if (days) log.info({ days }, 'ad contract days settled');
          return null;
        },
      },
    ],
    publishSnapshots: () => publishSnapshots(db),
    close: () => db.$disconnect(),
  };
}
