import {
  adRankOf,
  averageRating,
  isOpenAt,
  NO_AD,
  nextOpeningChange,
  topPlacement,
  type AdPlacementDoc,
  type OpeningInterval,
} from '@baedal/contracts';

/*
 * How the customer list ranks shops: an active ad placement in the area
 * first (ULTRA_CALL slots, the first booked first, before OPEN_LIST), then
 * open before closed, then rating, then review count. Every key sorts ascending.
 */

export { NO_AD };

/** The placement that puts the shop highest in the area now (the rule ads publishes), or null. */
export function placementIn(placements: readonly AdPlacementDoc[], area: string, now: Date): AdPlacementDoc | null {
  return topPlacement(placements, area, (p) => new Date(p.startsAt) <= now && now < new Date(p.endsAt));
}

/** That placement's rank (ULTRA_CALL slots in booking order, then OPEN_LIST), or NO_AD. */
export function adRankIn(placements: readonly AdPlacementDoc[], area: string, now: Date): number {
  const top = placementIn(placements, area, now);
  return top ? adRankOf(top) : NO_AD;
}

export interface ListingSource {
  shopId: string;
  category: string;
  deliveryAreas: string[];
  openingHours: OpeningInterval[];
  isOpen: boolean;
  adPlacements: AdPlacementDoc[];
  reviewCount: number;
  ratingSum: number;
  deliveryFee: number;
  minimumOrder: number;
}

export interface ListingRow {
  area: string;
  shopId: string;
  category: string;
  adRank: number;
  closedRank: number;
  ratingKey: number;
  reviewKey: number;
  deliveryFee: number;
  minimumOrder: number;
}

/** One ranking row per area the shop delivers to. */
export function listingRows(shop: ListingSource, now: Date): ListingRow[] {
  const open = isOpenAt(shop.openingHours, !shop.isOpen, now);
  const rating = averageRating(shop.reviewCount, shop.ratingSum);
  return shop.deliveryAreas.map((area) => ({
    area,
    shopId: shop.shopId,
    category: shop.category,
    adRank: adRankIn(shop.adPlacements, area, now),
    closedRank: open ? 0 : 1,
    ratingKey: rating === null ? 0 : -Math.round(rating * 100),
    reviewKey: -shop.reviewCount,
    deliveryFee: shop.deliveryFee,
    minimumOrder: shop.minimumOrder,
  }));
}

/**
 * The first moment after `now` when the shop's rows may rank differently by
 * the clock alone: it opens or closes, or an ad placement starts or ends.
 * Null when only an event can change them. The clock refresh rewrites a
 * shop's rows then, and only then.
 */
export function nextKeyChange(shop: ListingSource, now: Date): Date | null {
  let soonest = nextOpeningChange(shop.openingHours, !shop.isOpen, now)?.getTime() ?? Infinity;
  for (const p of shop.adPlacements) {
    for (const at of [new Date(p.startsAt).getTime(), new Date(p.endsAt).getTime()]) {
      if (at > now.getTime()) soonest = Math.min(soonest, at);
    }
  }
  return soonest === Infinity ? null : new Date(soonest);
}

export const SORTS = {
  RECOMMENDED: ['adRank', 'closedRank', 'ratingKey', 'reviewKey', 'shopId'],
  DELIVERY_FEE: ['deliveryFee', 'shopId'],
  MINIMUM_ORDER: ['minimumOrder', 'shopId'],
  RATING: ['ratingKey', 'reviewKey', 'shopId'],
} as const;
export type ShopSort = keyof typeof SORTS;
