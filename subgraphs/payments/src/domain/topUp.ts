import { badInput, forbidden, requireRole, type Identity } from '@baedal/platform';

/*
 * Paying into a shop's ad wallet: who may, and how much. Pure.
 */

export const MIN_TOP_UP = 10_000;
export const MAX_TOP_UP = 5_000_000;

/** Only a shop's owner tops up its wallet; answers the owner's id. */
export function requireTopUpPayer(identity: Identity, shop: { ownerId: string } | null): string {
  const ownerId = requireRole(identity, 'OWNER');
  if (shop && shop.ownerId !== ownerId) throw forbidden('You can only top up your own shops’ ad wallets');
  return ownerId;
}

/** A top-up's amount and key, checked: whole won within the bounds, and a key of 1 to 100 characters. */
export function validateTopUp(amount: number, idempotencyKey: string): void {
  if (!Number.isSafeInteger(amount) || amount < MIN_TOP_UP || amount > MAX_TOP_UP)
    throw badInput('amount', `amount must be whole won from ${MIN_TOP_UP} to ${MAX_TOP_UP}`);
  if (!idempotencyKey || idempotencyKey.length > 100)
    throw badInput('idempotencyKey', 'idempotencyKey must be 1 to 100 characters');
}
