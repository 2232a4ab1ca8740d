import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { appendToOutbox } from '@baedal/events';
import {
  AttemptCounter,
  DomainError,
  hashPassword,
  issueToken,
  redisPrefix,
  redisUrl,
  requireSignedIn,
  Sessions,
  tokenLifetimes,
  tooManyRequests,
  verifyAgainstNobody,
  verifyPassword,
  type Identity,
} from '@baedal/platform';
import type { Account } from '@baedal/prisma/shops';
import { shopsConfig } from '../config';
import { db } from '../db';
import { normalizeEmail, validateSignUp, type SignUpInput } from '../domain/accounts';
import { accountClosed, accountOpened } from '../events';

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
  if (failures) return failures;
  const settings = shopsConfig();
  // Failing fast: while Redis is away, each process counts alone (fail open).
  const counts = new Redis(redisUrl(), { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  failures = new AttemptCounter(counts, redisPrefix(), {
    name: 'sign-in-failures',
    points: settings.BAEDAL_SIGN_IN_FAILURES,
    durationSeconds: settings.BAEDAL_SIGN_IN_WINDOW_SECONDS,
  });
  return failures;
}

let sessions: Sessions | undefined;
/** Sign-in sessions, which the gateway refreshes without shops (platform's sessions.ts). */
export function accountSessions(): Sessions {
  // Sessions cannot fail open: a command waits for the connection like the queues' do.
  sessions ??= new Sessions(new Redis(redisUrl(), { maxRetriesPerRequest: 2 }), {
    prefix: redisPrefix(),
    refreshTtlSeconds: tokenLifetimes().refreshSeconds,
  });
  return sessions;
}

/** What signing in answers: an access token, and the session's first refresh token. */
export interface SignedIn {
  token: string;
  refreshToken: string;
  expiresIn: number;
  user: SigningIn;
}

/** Signs in an account with its password, and answers tokens for a new session. */
export async function login(email: string, password: string): Promise<SignedIn> {
  const key = normalizeEmail(email);
  const wait = await failedSignIns().exhausted(key);
  if (wait) throw tooManyRequests('failed sign-ins for this email', wait);
  const account = await db.account.findUnique({ where: { email: key } });
  const checked = account
    ? await verifyPassword(password, account.passwordHash)
    : { ok: await verifyAgainstNobody(password), rehash: false };
  // A closed account signs in no more, and says so no differently than a wrong password.
  if (!account || !checked.ok || account.closedAt) {
    await failedSignIns().take(key);
    // One message for both cases, so the answer does not reveal which emails exist.
    throw new DomainError('UNAUTHENTICATED', 'The email or password is wrong');
  }
  // Made at an older cost: made again at today's, now that the password is known.
  if (checked.rehash)
    await db.account.update({ where: { id: account.id }, data: { passwordHash: await hashPassword(password) } });
  await failedSignIns().forget(key);
  const refreshToken = await accountSessions().open({ accountId: account.id, role: account.role });
  return {
    token: issueToken(account),
    refreshToken,
    expiresIn: tokenLifetimes().accessSeconds,
    user: { ...account, signingIn: true },
  };
}

/** Opens an account unless the email has one; answers the same either way, after the same work. */
export async function signUp(input: SignUpInput): Promise<string> {
  const account = validateSignUp(input);
  const passwordHash = await hashPassword(input.password);
  const id = randomUUID();
  await db.$transaction(async (tx) => {
    const { count } = await tx.account.createMany({ data: [{ id, ...account, passwordHash }], skipDuplicates: true });
    if (count) await appendToOutbox(tx, [accountOpened({ id, role: account.role })]);
  });
  return SIGNED_UP;
}

/**
 * Closes the signed-in caller's account, confirmed by its password: it no
 * longer signs in, every session ends, and account.closed takes it out of the
 * directory sessions are refreshed from. Its shops and orders stay.
 */
export async function closeAccount(identity: Identity, password: string): Promise<boolean> {
  const accountId = requireSignedIn(identity);
  const account = await db.account.findUnique({ where: { id: accountId } });
  if (!account || account.closedAt) throw new DomainError('UNAUTHENTICATED', 'This account is closed');
  if (!(await verifyPassword(password, account.passwordHash)).ok)
    throw new DomainError('UNAUTHENTICATED', 'The password is wrong', { field: 'password' });
  await db.$transaction(async (tx) => {
    await tx.account.update({ where: { id: accountId }, data: { closedAt: new Date() } });
    await appendToOutbox(tx, [accountClosed(accountId)]);
  });
  await accountSessions().closeAll(accountId);
  return true;
}
