/*
 * What ads publishes (a shop's placements), and the rule both ads and the
 * shops query model apply to them: which placement puts a shop highest in an
 * area's list.
 */

export const AD_PRODUCTS = ['ULTRA_CALL', 'OPEN_LIST'] as const;
export type AdProduct = (typeof AD_PRODUCTS)[number];

export interface AdPlacementDoc {
  campaignId: string;
  area: string;
  product: AdProduct;
  startsAt: string;
  endsAt: string;
  /** When its contract was made: ULTRA_CALL slots are listed in this order. Absent from placements published before slots. */
  bookedAt?: string;
}

/** Every placement of the shop that is running or scheduled. */
export interface AdPlacementsSnapshot {
  shopId: string;
  placements: AdPlacementDoc[];
}

/** How high each product places a shop in an area's list: a lower rank is higher. */
export const AD_PRODUCT_RANK: Readonly<Record<AdProduct, number>> = { ULTRA_CALL: 0, OPEN_LIST: 1 };
/** The rank of a shop no running placement places in the area: below every product. */
export const NO_AD = AD_PRODUCTS.length;

/**
 * Of a shop's placements, the one that places it highest in `area`, among
 * those `running` says are running: the first of the best product, or null.
 */
export function topPlacement<T extends { area: string; product: AdProduct }>(
  placements: readonly T[],
  area: string,
  running: (placement: T) => boolean,
): T | null {
  let top: T | null = null;
  for (const placement of placements) {
    if (placement.area !== area || !running(placement)) continue;
    if (!top || AD_PRODUCT_RANK[placement.product] < AD_PRODUCT_RANK[top.product]) top = placement;
  }
  return top;
}

const SLOT_EPOCH_MS = Date.UTC(2026, 0, 1);
const SLOT_BASE = -2_000_000_000;

/**
 * A running placement's listing rank, ascending (a lower rank lists higher): ULTRA_CALL slots first, in
 * the order they were booked (the slot rule, first booked, first served), then OPEN_LIST, then NO_AD. A
 * slot's rank is the seconds from 2026 to its booking, from a negative base, so it stays a 32-bit
 * integer (the listing's key) until about 2089; slots booked in the same second tie.
 */
export function adRankOf(placement: Pick<AdPlacementDoc, 'product' | 'bookedAt'>): number {
  if (placement.product !== 'ULTRA_CALL' || !placement.bookedAt) return AD_PRODUCT_RANK[placement.product];
  return SLOT_BASE + Math.max(0, Math.floor((Date.parse(placement.bookedAt) - SLOT_EPOCH_MS) / 1000));
}
