import { connectionOf, decodeCursor, pageSize, type Identity } from '@baedal/platform';
import type { AdCampaign } from '@baedal/prisma/ads';
import { db } from './db';
import { requireAdvertiser } from './domain/access';

/** The signed-in owner's campaigns across their shops, newest first, a page at a time (keyset on createdAt, id). */
export async function myAdCampaigns(identity: Identity, first: number, after: string | null | undefined) {
  const ownerId = requireAdvertiser(identity);
  const size = pageSize(first, 20);
  const key = decodeCursor(after, 2);
  const shops = await db.shopOwner.findMany({ where: { ownerId }, select: { shopId: true } });
  const createdAt = key && new Date(key[0] as string);
  const rows: AdCampaign[] = await db.adCampaign.findMany({
    where: {
      shopId: { in: shops.map((s) => s.shopId) },
      ...(createdAt ? { OR: [{ createdAt: { lt: createdAt } }, { createdAt, id: { lt: key[1] as string } }] } : {}),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: size + 1,
  });
  return connectionOf(rows, size, (node) => [node.createdAt.toISOString(), node.id]);
}
