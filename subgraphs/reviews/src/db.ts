import DataLoader from 'dataloader';
import { rowLoader, type SubgraphContext } from '@baedal/platform';
import { createReviewsClient, type Review } from '@baedal/prisma/reviews';

export const db = createReviewsClient();

/** Per-request loaders: each turns a batch of keys into one query. */
export function createLoaders() {
  return {
    review: rowLoader(
      (ids) => db.review.findMany({ where: { id: { in: [...ids] } } }),
      (r) => r.id,
    ),
    ratingTotals: rowLoader(
      (shopIds) => db.shopRating.findMany({ where: { shopId: { in: [...shopIds] } } }),
      (r) => r.shopId,
    ),
    /** The newest `limit` reviews of each shop that still show, in one query using a window function. */
    latestReviews: new DataLoader<{ shopId: string; limit: number }, Review[], string>(
      async (keys) => {
        const shopIds = [...new Set(keys.map((k) => k.shopId))];
        const limit = Math.max(...keys.map((k) => k.limit));
        const rows = await db.$queryRaw<Review[]>`
          SELECT (ranked.r).* FROM (
            SELECT r, row_number() OVER (PARTITION BY r."shopId" ORDER BY r."createdAt" DESC, r."id") AS n
            FROM "Review" r
            WHERE r."shopId" = ANY(${shopIds}) AND r."deletedAt" IS NULL AND r."hiddenAt" IS NULL
          ) ranked WHERE n <= ${limit} ORDER BY (ranked.r)."createdAt" DESC, (ranked.r)."id"`;
        return keys.map((key) => rows.filter((r) => r.shopId === key.shopId).slice(0, key.limit));
      },
      { cacheKeyFn: (key) => `${key.shopId}:${key.limit}` },
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
/** What every resolver of this subgraph receives. */
export type Context = SubgraphContext<Loaders>;

export async function checkDatabase(): Promise<void> {
  await db.$queryRaw`SELECT 1`;
}
