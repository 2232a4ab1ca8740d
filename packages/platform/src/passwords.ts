import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { passwordHashing } from './config';

/*
 * Password hashes: scrypt at OWASP's current cost (N = 2^17, r = 8, p = 1),
 * stored with their parameters ("scrypt$ln=17,r=8,p=1$<salt>$<hash>"), so a
 * sign-in can tell a hash made at an older cost and make it again. Each hash
 * takes 128 MiB for a moment: at most BAEDAL_PASSWORD_HASHES_AT_ONCE run at
 * once in a process, the rest wait, so a flood of sign-ins cannot exhaust
 * memory. Tests lower the cost (BAEDAL_PASSWORD_SCRYPT_LOG_N); production
 * refuses to.
 */

const KEY_LENGTH = 32;

interface Cost {
  ln: number;
  r: number;
  p: number;
}

/** The cost of hashes made before parameters were stored: Node's scrypt defaults. */
const LEGACY: Cost = { ln: 14, r: 8, p: 1 };

const current = (): Cost => ({ ln: passwordHashing().logN, r: 8, p: 1 });

let running = 0;
const waiting: (() => void)[] = [];

/** How many hashes this process is running now (never above BAEDAL_PASSWORD_HASHES_AT_ONCE). */
export const passwordHashesRunning = () => running;

/** Runs one scrypt when fewer than the allowed number are running. */
async function hashWithin(password: string, salt: Buffer, cost: Cost, keyLength: number): Promise<Buffer> {
  if (running >= passwordHashing().atOnce) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    const N = 2 ** cost.ln;
    const options: ScryptOptions = { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r };
    return await new Promise<Buffer>((resolve, reject) =>
      scrypt(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))),
    );
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function parse(stored: string): { cost: Cost; salt: Buffer; hash: Buffer } | null {
  const parts = stored.split('$');
  if (parts[0] !== 'scrypt') return null;
  if (parts.length === 3)
    return { cost: LEGACY, salt: Buffer.from(parts[1], 'hex'), hash: Buffer.from(parts[2], 'hex') };
  const match = /^ln=(\d+),r=(\d+),p=(\d+)$/.exec(parts[1] ?? '');
  if (parts.length !== 4 || !match) return null;
  const [ln, r, p] = match.slice(1).map(Number);
  return { cost: { ln, r, p }, salt: Buffer.from(parts[2], 'hex'), hash: Buffer.from(parts[3], 'hex') };
}

export async function hashPassword(password: string, salt: Buffer = randomBytes(16)): Promise<string> {
  const cost = current();
  const hash = await hashWithin(password, salt, cost, KEY_LENGTH);
  return `scrypt$ln=${cost.ln},r=${cost.r},p=${cost.p}$${salt.toString('hex')}$${hash.toString('hex')}`;
}

/** Whether the password is the stored one's; `rehash` when it was made at another cost than today's. */
export async function verifyPassword(password: string, stored: string): Promise<{ ok: boolean; rehash: boolean }> {
  const parsed = parse(stored);
  if (!parsed) return { ok: false, rehash: false };
  const actual = await hashWithin(password, parsed.salt, parsed.cost, parsed.hash.length);
  const ok = actual.length === parsed.hash.length && timingSafeEqual(actual, parsed.hash);
  const now = current();
  const rehash = ok && (parsed.cost.ln !== now.ln || parsed.cost.r !== now.r || parsed.cost.p !== now.p);
  return { ok, rehash };
}

/**
 * The work of checking a password against an account that does not exist:
 * the one derivation at today's cost a real check makes, so an unknown email
 * answers no faster than a wrong password (and its first time no slower).
 * Always false.
 */
export async function verifyAgainstNobody(password: string): Promise<false> {
  await hashWithin(password, randomBytes(16), current(), KEY_LENGTH);
  return false;
}
