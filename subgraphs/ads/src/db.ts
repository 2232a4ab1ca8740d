import { groupLoader, rowLoader, type SubgraphContext } from '@baedal/platform';
import { createAdsClient } from '@baedal/prisma/ads';

export const db = createAdsClient();

export function createLoaders() {
  return {
    campaign: rowLoader(
      (ids) => db.adCampaign.findMany({ where: { id: { in: [...ids] } } }),
      (c) => c.id,
    ),
    /** Campaigns not yet ended, per shop, but OPEN_LIST while its wallet is below zero; time filtering is the domain's job. */
    liveCampaignsByShop: groupLoader(
      async (shopIds) => {
        const [campaigns, paused] = await Promise.all([
          db.adCampaign.findMany({
            where: { shopId: { in: [...shopIds] }, status: { not: 'ENDED' } },
            orderBy: { startsAt: 'asc' },
          }),
          db.adWallet.findMany({ where: { shopId: { in: [...shopIds] }, belowZero: true }, select: { shopId: true } }),
        ]);
        const pausedShops = new Set(paused.map((w) => w.shopId));
        return campaigns.filter((c) => c.product !== 'OPEN_LIST' || !pausedShops.has(c.shopId));
      },
      (c) => c.shopId,
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
/** What every resolver of this subgraph receives. */
export type Context = SubgraphContext<Loaders>;

export async function checkDatabase(): Promise<void> {
  await db.$queryRaw`SELECT 1`;
}
