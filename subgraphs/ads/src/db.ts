import { groupLoader, rowLoader, type SubgraphContext } from '@baedal/platform';
import { createAdsClient, type AdCampaign } from '@baedal/prisma/ads';

export const db = createAdsClient();

export function createLoaders() {
  return {
    campaign: rowLoader(
      (ids) => db.adCampaign.findMany({ where: { id: { in: [...ids] } } }),
      (c) => c.id,
    ),
    /** Campaigns not yet ended, per shop, but OPEN_LIST while its wallet is below zero; time filtering is the domain's job. */
    liveCampaignsByShop: groupLoader(
      (shopIds) =>
        // One statement per batch, as every entity read of a subgraph.
        db.$queryRaw<AdCampaign[]>`
          SELECT c.* FROM "AdCampaign" c LEFT JOIN "AdWallet" w ON w."shopId" = c."shopId"
           WHERE c."shopId" = ANY(${[...shopIds]}) AND c."status" <> 'ENDED'
             AND NOT (c."product" = 'OPEN_LIST' AND COALESCE(w."belowZero", false))
           ORDER BY c."startsAt"`,
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
