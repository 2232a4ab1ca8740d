import { randomUUID } from 'node:crypto';
import { DomainError, notFound, type Identity } from '@baedal/platform';
import type { AdCampaign, AdProduct } from '@baedal/prisma/ads';
import { db } from './db';
import { requireAdvertiser, requireOwnShop } from './domain/access';
import { isRunning, newPlacementPeriod } from './domain/placement';
import { publishPlacements } from './events';

/** Checks ownership against ads' own record of shop owners, kept from shop events. */
async function requireOwnedShop(identity: Identity, shopId: string): Promise<void> {
  const ownerId = requireAdvertiser(identity);
  const shop = await db.shopOwner.findUnique({ where: { shopId } });
  if (!shop) throw notFound('Shop', shopId);
  requireOwnShop(shop, ownerId);
}

export interface StartAdPlacementInput {
  shopId: string;
  product: AdProduct;
  area: string;
  days: number;
}

export async function startAdPlacement(identity: Identity, input: StartAdPlacementInput): Promise<AdCampaign> {
  await requireOwnedShop(identity, input.shopId);
  const now = new Date();
  const period = newPlacementPeriod(input.days, now);
  return db.$transaction(async (tx) => {
    const running = await tx.adCampaign.findMany({
      where: { shopId: input.shopId, area: input.area, status: 'ACTIVE' },
    });
    if (running.some((c) => isRunning(c, now))) {
      throw new DomainError('CONFLICT', `This shop already has a running placement in ${input.area}; end it first`, {
        field: 'area',
      });
    }
    const campaign = await tx.adCampaign.create({
      data: {
        id: randomUUID(),
        shopId: input.shopId,
        product: input.product,
        area: input.area,
        ...period,
        status: 'ACTIVE',
      },
    });
    await publishPlacements(tx, input.shopId, now);
    return campaign;
  });
}

export async function endAdPlacement(identity: Identity, campaignId: string): Promise<AdCampaign> {
  const existing = await db.adCampaign.findUnique({ where: { id: campaignId } });
  if (!existing) throw notFound('Ad campaign', campaignId);
  await requireOwnedShop(identity, existing.shopId);
  if (existing.status === 'ENDED') throw new DomainError('CONFLICT', 'This placement has already ended');
  return db.$transaction(async (tx) => {
    const now = new Date();
    const campaign = await tx.adCampaign.update({
      where: { id: campaignId },
      data: { status: 'ENDED', endsAt: now < existing.endsAt ? now : existing.endsAt },
    });
    await publishPlacements(tx, campaign.shopId, now);
    return campaign;
  });
}
