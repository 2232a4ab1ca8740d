import { topPlacement, type AdProduct } from '@baedal/contracts';
import { badInput } from '@baedal/platform';

export interface CampaignPeriod {
  status: 'SCHEDULED' | 'ACTIVE' | 'ENDED';
  startsAt: Date;
  endsAt: Date;
}

/** A campaign places its shop only while it is ACTIVE and inside its period. */
export function isRunning(campaign: CampaignPeriod, at: Date): boolean {
  return campaign.status === 'ACTIVE' && campaign.startsAt <= at && at < campaign.endsAt;
}

/** Of a shop's running campaigns in an area, the one that places it highest (the rule ads publishes). */
export function placementIn<T extends CampaignPeriod & { area: string; product: AdProduct }>(
  campaigns: readonly T[],
  area: string,
  at: Date,
): T | null {
  return topPlacement(campaigns, area, (campaign) => isRunning(campaign, at));
}

export const MAX_PLACEMENT_DAYS = 90;

/** The period of a placement starting now, or a reason it cannot start. */
export function newPlacementPeriod(days: number, now: Date): { startsAt: Date; endsAt: Date } {
  if (!Number.isInteger(days) || days < 1 || days > MAX_PLACEMENT_DAYS) {
    throw badInput('days', `days must be from 1 to ${MAX_PLACEMENT_DAYS}`);
  }
  return { startsAt: now, endsAt: new Date(now.getTime() + days * 24 * 3600 * 1000) };
}
