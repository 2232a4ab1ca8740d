import { forbidden, requireRole, type Identity } from '@baedal/platform';

/*
 * Who may do what with ads. Pure: the callers read ads' own record of who
 * owns each shop (kept from shop events). The role is checked before anything
 * is read, the shop's owner once it is.
 */

/** Only owners advertise; answers the owner's id. */
export function requireAdvertiser(identity: Identity): string {
  return requireRole(identity, 'OWNER');
}

/** An owner advertises only their own shops. */
export function requireOwnShop(shop: { ownerId: string }, ownerId: string): void {
  if (shop.ownerId !== ownerId) throw forbidden('You can only advertise your own shops');
}

/** A shop's wallet is read by its owner or an admin. */
export function requireWalletReader(identity: Identity, shop: { ownerId: string }): void {
  const userId = requireRole(identity, 'OWNER', 'ADMIN');
  if (identity.role === 'OWNER' && shop.ownerId !== userId) throw forbidden('You can only see your own shops’ wallets');
}

/** Revenue is for admins. */
export function requireRevenueReader(identity: Identity): void {
  requireRole(identity, 'ADMIN');
}

/** Prices are set by admins. */
export function requirePriceSetter(identity: Identity): void {
  requireRole(identity, 'ADMIN');
}
