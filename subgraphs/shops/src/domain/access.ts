import { forbidden, requireRole, type Identity } from '@baedal/platform';

/*
 * Who may do what in shops. Pure: the callers read the rows. The role is
 * checked before anything is read, the shop's owner once it is.
 */

/** Only owners run shops; answers the owner's id. */
export function requireShopOwner(identity: Identity): string {
  return requireRole(identity, 'OWNER');
}

/** An owner changes only their own shops. */
export function requireOwnShop(shop: { ownerId: string }, ownerId: string): void {
  if (shop.ownerId !== ownerId) throw forbidden('You can only change your own shops');
}

/**
 * An account's email is seen by the account itself (also while signing in,
 * when the caller is still anonymous) and by admins; by nobody else.
 */
export function canSeeEmail(account: { id: string }, identity: Identity, signingIn = false): boolean {
  return signingIn || identity.userId === account.id || identity.role === 'ADMIN';
}
