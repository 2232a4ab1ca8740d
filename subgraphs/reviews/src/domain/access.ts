import { requireRole, type Identity } from '@baedal/platform';

/*
 * Who may write reviews. Pure: the role is checked before anything is read;
 * the rest of a review's life is in lifecycle.ts.
 */

/** Only customers write reviews; answers the customer's id. */
export function requireReviewer(identity: Identity): string {
  return requireRole(identity, 'CUSTOMER');
}
