import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import {
  AttemptCounter,
  DomainError,
  hashPassword,
  issueToken,
  redisPrefix,
  redisUrl,
  tooManyRequests,
  verifyAgainstNobody,
  verifyPassword,
} from '@baedal/platform';
import type { Account } from '@baedal/prisma/shops';
import { shopsConfig } from '../config';
import { db } from '../db';
import { normalizeEmail, validateSignUp, type SignUpInput } from '../domain/accounts';

/*
 * Accounts: signing up and signing in. Neither answer tells whether an email
 * has an account (a sign-up answers the same either way, an unknown email
 * costs a password check as a wrong password does), and failed sign-ins per
 * email are limited, shared by every process through Redis.
 */

/** An account as `login` answers it: the caller is still anonymous on that request, the account theirs all the same. */
export type SigningIn = Account & { signingIn: true };

export const SIGNED_UP =
  'If this email had no account, it has one now: sign in with it. An email that already had one keeps its password.';

let failures: AttemptCounter | undefined;
/** Failed sign-ins per email (BAEDAL_SIGN_IN_FAILURES in BAEDAL_SIGN_IN_WINDOW_SECONDS). */
function failedSignIns(): AttemptCounter {
  const settings = shopsConfig();
  failures ??= new AttemptCounter(
    new Redis(redisUrl(), { maxRetriesPerRequest: 1, enableOfflineQueue: false }),
    redisPrefix(),
    {
      name: 'sign-in-failures',
      points: settings.BAEDAL_SIGN_IN_FAILURES,
      durationSeconds: settings.BAEDAL_SIGN_IN_WINDOW_SECONDS,
    },
  );
  return failures;
}

/** Signs in an account with its password, and answers a token for it. */
export async function login(email: string, password: string): Promise<{ token: string; user: SigningIn }> {
  const key = normalizeEmail(email);
  const wait = await failedSignIns().exhausted(key);
  if (wait) throw tooManyRequests('failed sign-ins for this email', wait);
  const account = await db.account.findUnique({ where: { email: key } });
  const checked = account
    ? await verifyPassword(password, account.passwordHash)
    : { ok: await verifyAgainstNobody(password), rehash: false };
  if (!account || !checked.ok) {
    await failedSignIns().take(key);
    // One message for both cases, so the answer does not reveal which emails exist.
    throw new DomainError('UNAUTHENTICATED', 'The email or password is wrong');
  }
  // Made at an older cost: made again at today's, now that the password is known.
  if (checked.rehash)
    await db.account.update({ where: { id: account.id }, data: { passwordHash: await hashPassword(password) } });
  await failedSignIns().forget(key);
  return { token: issueToken(account), user: { ...account, signingIn: true } };
}

/** Opens an account unless the email has one; answers the same either way, after the same work. */
export async function signUp(input: SignUpInput): Promise<string> {
  const account = validateSignUp(input);
  const passwordHash = await hashPassword(input.password);
  await db.account.createMany({ data: [{ id: randomUUID(), ...account, passwordHash }], skipDuplicates: true });
  return SIGNED_UP;
}
