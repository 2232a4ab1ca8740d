import type Redis from 'ioredis';
import { queryModelChannel, type Logger, type QueryModelChange } from '@baedal/platform';

/**
 * Tells the gateways' response caches that the customer query model changed,
 * at most every `everyMs`: a change of documents (a shop's terms, menu,
 * rating or ads) outweighs one of listings alone (the clock moved shops).
 */
export function queryModelAnnouncer(redis: Redis, log: Logger, everyMs = 100) {
  let timer: NodeJS.Timeout | null = null;
  let pending: QueryModelChange = 'listings';
  return {
    changed(change: QueryModelChange): void {
      if (change === 'documents') pending = 'documents';
      timer ??= setTimeout(() => {
        const message = pending;
        timer = null;
        pending = 'listings';
        redis.publish(queryModelChannel(), message).catch((error: unknown) => {
          log.warn({ err: error }, 'cannot announce a query model change');
        });
      }, everyMs);
    },
    stop(): void {
      if (timer) clearTimeout(timer);
    },
  };
}
