#!/usr/bin/env node
/**
 * Prints a signed JWT for development: `npm run token -- <userId> <ROLE>`.
 * Seeded accounts can also sign in with the `login` mutation.
 */
import { issueToken, ROLES, type Role } from './identity';

const [userId, role = 'CUSTOMER'] = process.argv.slice(2);
if (!userId || !ROLES.includes(role as Role)) {
  console.error(`usage: npm run token -- <userId> <${ROLES.join('|')}>`);
  process.exit(2);
}
console.log(issueToken({ id: userId, role: role as Role }));
