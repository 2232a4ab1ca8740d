import type { AdProduct } from '@baedal/contracts';
import { badInput } from '@baedal/platform';

/*
 * What ads cost, in whole won (integers only, never floating point).
 *
 * Prices come from a versioned table: a contract is priced, and keeps the
 * version, that applied when it was made; a new version changes new
 * contracts only. ULTRA_CALL has a fixed price per area per 30 days; a
 * contract of `days` costs floor(price × days / 30). OPEN_LIST costs a fee
 * per delivered order: a share (in basis points) of the items total before
 * any coupon and without the delivery fee, rounded down, and never below the
 * floor.
 *
 * A contract's cost is spread over its days so that the days always add up
 * to the whole: after k of n days, floor(price × k / n) has been charged, and
 * day k costs the difference. Ending early refunds what the remaining days
 * would have cost, price − floor(price × k / n): the owner is charged only
 * for the days used, rounded down to the won, and the refund gets the
 * remainder.
 */

export interface PriceTable {
  version: number;
  /** The table applies to contracts made from this instant. */
  effectiveFrom: Date;
  /** ULTRA_CALL's price per area, for 30 days. */
  ultraCallPer30Days: Readonly<Record<string, number>>;
  openList: { basisPoints: number; floorWon: number };
}

const isWon = (amount: number) => Number.isSafeInteger(amount) && amount >= 0;

/** The table that applies at `at`: the latest one effective by then. */
export function tableAt(tables: readonly PriceTable[], at: Date): PriceTable {
  const applying = tables
    .filter((t) => t.effectiveFrom.getTime() <= at.getTime())
    .sort((a, b) => b.effectiveFrom.getTime() - a.effectiveFrom.getTime() || b.version - a.version)[0];
  if (!applying) throw new Error(`no price table applies at ${at.toISOString()}`);
  return applying;
}

/** What a contract of `days` costs up front: ULTRA_CALL only (OPEN_LIST is paid per order). */
export function contractPrice(table: PriceTable, product: AdProduct, area: string, days: number): number {
  if (product === 'OPEN_LIST') return 0;
  const per30 = table.ultraCallPer30Days[area];
  if (per30 === undefined || !isWon(per30))
    throw new Error(`no ULTRA_CALL price for ${area} in table ${table.version}`);
  return Math.floor((per30 * days) / 30);
}

/** OPEN_LIST's fee for one delivered order, from its items total (won, before coupons, without delivery). */
export function openListFee(table: PriceTable, itemsTotal: number): number {
  if (!isWon(itemsTotal)) throw new Error(`itemsTotal must be whole won, got ${itemsTotal}`);
  const share = Math.floor((itemsTotal * table.openList.basisPoints) / 10_000);
  return Math.max(share, table.openList.floorWon);
}

/** What `used` of a contract's `days` have cost in all: floor(price × used / days). */
export function chargedAfter(price: number, days: number, used: number): number {
  if (!isWon(price) || !Number.isInteger(days) || days < 1 || !Number.isInteger(used) || used < 0 || used > days)
    throw new Error(`bad contract: price ${price}, days ${days}, used ${used}`);
  return Math.floor((price * used) / days);
}

/** Day `day`'s cost (1-based): the days of a contract add up to its price exactly. */
export const dailyCost = (price: number, days: number, day: number): number =>
  chargedAfter(price, days, day) - chargedAfter(price, days, day - 1);

/** What ending after `used` days gives back: the price less what the used days cost. */
export const unusedRefund = (price: number, days: number, used: number): number =>
  price - chargedAfter(price, days, used);

/** A new table as an admin sets it out, before it has a version. */
export type NewPriceTable = Omit<PriceTable, 'version'>;

/**
 * A new table, checked: it applies from a moment still to come (so no contract already made, and no
 * contract being made now, changes), prices every area in whole won, and its OPEN_LIST share is at
 * most 100%.
 */
export function validatePriceTable(table: NewPriceTable, areas: readonly string[], now: Date): NewPriceTable {
  if (table.effectiveFrom.getTime() <= now.getTime())
    throw badInput('effectiveFrom', 'effectiveFrom must be later than now: a new price applies to new contracts only');
  for (const area of areas) {
    const won = table.ultraCallPer30Days[area];
    if (won === undefined) throw badInput('ultraCallPer30Days', `ultraCallPer30Days must price ${area}`);
    if (!isWon(won) || won === 0) throw badInput('ultraCallPer30Days', `${area}'s price must be whole won above 0`);
  }
  const extra = Object.keys(table.ultraCallPer30Days).filter((area) => !areas.includes(area));
  if (extra.length) throw badInput('ultraCallPer30Days', `no such area: ${extra.join(', ')}`);
  const { basisPoints, floorWon } = table.openList;
  if (!Number.isInteger(basisPoints) || basisPoints < 0 || basisPoints > 10_000)
    throw badInput('openListBasisPoints', 'openListBasisPoints must be a whole number from 0 to 10000');
  if (!isWon(floorWon)) throw badInput('openListFloorWon', 'openListFloorWon must be whole won, 0 or more');
  return table;
}
