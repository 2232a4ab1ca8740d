import { topPlacement, type AdProduct } from '@baedal/contracts';
import { badInput, DomainError } from '@baedal/platform';

export interface CampaignPeriod {
  status: 'SCHEDULED' | 'ACTIVE' | 'ENDED';
  startsAt: Date;
  endsAt: Date;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * A campaign places its shop while it is inside its period and not ended. A SCHEDULED campaign needs
 * no clock to become ACTIVE: it runs from its start (the shops' query model reads the same period).
 */
export function isRunning(campaign: CampaignPeriod, at: Date): boolean {
  return campaign.status !== 'ENDED' && campaign.startsAt <= at && at < campaign.endsAt;
}

/** The status a campaign shows at `at`: SCHEDULED before its start, ACTIVE inside its period, ENDED after. */
export function statusAt(campaign: CampaignPeriod, at: Date): CampaignPeriod['status'] {
  if (campaign.status === 'ENDED' || at >= campaign.endsAt) return 'ENDED';
  return at < campaign.startsAt ? 'SCHEDULED' : 'ACTIVE';
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
/** How far ahead a placement may be scheduled. */
export const MAX_SCHEDULE_DAYS = 90;

/**
 * The period of a placement of `days` starting at `startsAt` (now when not given), and the status it is
 * made with; or a reason it cannot be made. A start a moment in the past (a clock apart) starts now.
 */
export function newPlacementPeriod(
  days: number,
  now: Date,
  startsAt?: Date | null,
): { startsAt: Date; endsAt: Date; status: 'SCHEDULED' | 'ACTIVE' } {
  if (!Number.isInteger(days) || days < 1 || days > MAX_PLACEMENT_DAYS) {
    throw badInput('days', `days must be from 1 to ${MAX_PLACEMENT_DAYS}`);
  }
  const start = startsAt && startsAt > now ? startsAt : now;
  if (startsAt && startsAt.getTime() < now.getTime() - 60_000) {
    throw badInput('startsAt', 'startsAt must not be in the past');
  }
  if (start.getTime() - now.getTime() > MAX_SCHEDULE_DAYS * DAY_MS) {
    throw badInput('startsAt', `startsAt must be within ${MAX_SCHEDULE_DAYS} days from now`);
  }
  return {
    startsAt: start,
    endsAt: new Date(start.getTime() + days * DAY_MS),
    status: start > now ? 'SCHEDULED' : 'ACTIVE',
  };
}

/** Whether two periods share an instant (one shop has one placement per area at a time). */
export const overlaps = (a: { startsAt: Date; endsAt: Date }, b: { startsAt: Date; endsAt: Date }): boolean =>
  a.startsAt < b.endsAt && b.startsAt < a.endsAt;

/**
 * The days of a contract used by `at`: every day begun counts (a day is charged once it starts), none
 * before the start, at most all of them. What ending at `at` refunds follows from it (pricing.ts).
 */
export function usedDays(campaign: { startsAt: Date }, days: number, at: Date): number {
  const elapsed = at.getTime() - campaign.startsAt.getTime();
  if (elapsed <= 0) return 0;
  return Math.min(days, Math.ceil(elapsed / DAY_MS));
}

/**
 * Why a wallet cannot pay `price` now, or null: a wallet below zero (fees took it there) pays for
 * nothing new until it is topped up, and a price must fit the balance.
 */
export function spendRefusal(balance: number, price: number): DomainError | null {
  if (balance < 0)
    return new DomainError(
      'INSUFFICIENT_BALANCE',
      `The ad wallet is ${-balance} won below zero; top it up before starting a placement`,
      { balance, price },
    );
  if (price > balance)
    return new DomainError(
      'INSUFFICIENT_BALANCE',
      `This placement costs ${price} won and the ad wallet holds ${balance}; top it up first`,
      { balance, price },
    );
  return null;
}

interface Period {
  startsAt: Date;
  endsAt: Date;
}

/** The most of the `booked` periods running at one instant of `period`. */
export function mostAtOnce(booked: readonly Period[], period: Period): number {
  const edges = booked
    .filter((b) => overlaps(b, period))
    .flatMap((b) => [
      [Math.max(+b.startsAt, +period.startsAt), 1],
      [Math.min(+b.endsAt, +period.endsAt), -1],
    ])
    // At one instant an end frees its slot before a start takes one.
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let most = 0;
  for (const [, change] of edges) most = Math.max(most, (running += change));
  return most;
}

/**
 * The slot rule: at most `slots` ULTRA_CALL placements of shops of one category run in an area at
 * any instant, and slots go to the first booked, for their whole period. A placement that would
 * need one more at some instant of its period is refused; or null.
 */
export function slotRefusal(
  booked: readonly Period[],
  period: Period,
  slots: number,
  where: { area: string; category: string | null },
): DomainError | null {
  if (mostAtOnce(booked, period) < slots) return null;
  return new DomainError(
    'AD_SLOTS_FULL',
    `All ${slots} ULTRA_CALL slots for ${where.category ?? 'this category'} in ${where.area} are booked for part of that period; slots go to the first booked`,
    { field: 'area', slots },
  );
}
