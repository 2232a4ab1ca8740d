import { dictionary } from '@zxcvbn-ts/language-common';
import { badInput } from '@baedal/platform';

/*
 * Who may have an account, and with what password. Pure: commands/accounts.ts
 * hashes and stores.
 */

export const SIGN_UP_ROLES = ['CUSTOMER', 'OWNER'] as const;
export type SignUpRole = (typeof SIGN_UP_ROLES)[number];

export const MIN_PASSWORD_LENGTH = 10;
// Long enough for any passphrase; a bound, so a huge password cannot make hashing costly.
export const MAX_PASSWORD_LENGTH = 256;
export const MAX_NAME_LENGTH = 50;
const MAX_EMAIL_LENGTH = 254;

// The most common passwords (zxcvbn-ts's list of about 50,000), compared ignoring case.
const COMMON_PASSWORDS = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));

export interface SignUpInput {
  email: string;
  name: string;
  password: string;
  role: string;
}

/** Emails compare as the account stores them: trimmed, lower case. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** The account a sign-up asks for, or BAD_USER_INPUT naming the field. */
export function validateSignUp(input: SignUpInput): { email: string; name: string; role: SignUpRole } {
  const email = normalizeEmail(input.email);
  if (email.length > MAX_EMAIL_LENGTH || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
    throw badInput('email', 'email must be an email address');
  const name = input.name.trim();
  if (!name || name.length > MAX_NAME_LENGTH) throw badInput('name', `name must be 1 to ${MAX_NAME_LENGTH} characters`);
  if (!(SIGN_UP_ROLES as readonly string[]).includes(input.role))
    throw badInput('role', `role must be one of ${SIGN_UP_ROLES.join(', ')}`);
  const password = input.password;
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH)
    throw badInput('password', `password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`);
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower) || lower === email || lower === email.split('@')[0])
    throw badInput('password', 'This password is among the most common ones; choose another');
  return { email, name, role: input.role as SignUpRole };
}
