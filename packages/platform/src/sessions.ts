import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type Redis from 'ioredis';

/*
 * Sign-in sessions and the account directory, in Redis (the queues' server:
 * durable, never evicting), so the gateway refreshes a session without the
 * shops subgraph, which holds accounts: an outage of shops signs no one out.
 *
 * A session is a family of refresh tokens. Each refresh uses its token up and
 * answers the family's next one; a token used a second time means it was
 * copied, and revokes the whole family. Signing out revokes the family;
 * signing out everywhere, every family of the account. Tokens are kept as
 * hashes. The directory (accountId -> role, or closed) is kept from account
 * events by the "accounts" consumer; a refresh checks the account is still
 * there with the session's role.
 */

export interface SessionSettings {
  prefix: string;
  refreshTtlSeconds: number;
}

export interface Session {
  accountId: string;
  role: string;
}

type Stored = Session & { familyId: string; used?: true };
type DirectoryEntry = { role: string; version: number; closed?: true };

const USE = `
local stored = redis.call('GET', KEYS[1])
if not stored then return nil end
local first = redis.call('SET', KEYS[2], '1', 'EX', ARGV[1], 'NX')
if first then return {stored, 1} end
return {stored, 0}`;

const RECORD = `
local known = redis.call('HGET', KEYS[1], ARGV[1])
if known and cjson.decode(known).version >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1`;

const hash = (token: string) => createHash('sha256').update(token).digest('base64url');

export class Sessions {
  constructor(
    private readonly redis: Redis,
    private readonly settings: SessionSettings,
  ) {}

  private key(kind: string, id: string) {
    return `${this.settings.prefix}:sessions:${kind}:${id}`;
  }

  /** A new session's first refresh token. */
  async open(session: Session): Promise<string> {
    const familyId = randomUUID();
    await this.redis
      .multi()
      .sadd(this.key('account', session.accountId), familyId)
      .expire(this.key('account', session.accountId), this.settings.refreshTtlSeconds)
      .exec();
    return this.issue({ ...session, familyId });
  }

  private async issue(stored: Stored): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.redis.set(this.key('token', hash(token)), JSON.stringify(stored), 'EX', this.settings.refreshTtlSeconds);
    return token;
  }

  /**
   * Uses a refresh token up: the session and its next token, or why not
   * ('unknown', 'reused': the family is revoked, 'revoked', 'account').
   */
  async refresh(token: string): Promise<{ session: Session; refreshToken: string } | { refused: string }> {
    const key = this.key('token', hash(token));
    // Read and marked used in one step, so two refreshes with one token cannot both win.
    const found = (await this.redis.eval(USE, 2, key, `${key}:used`, this.settings.refreshTtlSeconds)) as
      [string, number] | null;
    if (!found) return { refused: 'unknown' };
    const stored = JSON.parse(found[0]) as Stored;
    if (found[1] !== 1) {
      await this.revokeFamily(stored.familyId);
      return { refused: 'reused' };
    }
    if (await this.redis.exists(this.key('revoked', stored.familyId))) return { refused: 'revoked' };
    const account = await this.account(stored.accountId);
    if (!account || account.closed || account.role !== stored.role) return { refused: 'account' };
    const session = { accountId: stored.accountId, role: stored.role };
    return { session, refreshToken: await this.issue({ ...session, familyId: stored.familyId }) };
  }

  /** Signs a session out: the family of this refresh token. */
  async close(token: string): Promise<void> {
    const raw = await this.redis.get(this.key('token', hash(token)));
    if (raw) await this.revokeFamily((JSON.parse(raw) as Stored).familyId);
  }

  /** Signs an account out everywhere: every family it has. */
  async closeAll(accountId: string): Promise<void> {
    const families = await this.redis.smembers(this.key('account', accountId));
    for (const familyId of families) await this.revokeFamily(familyId);
  }

  private async revokeFamily(familyId: string): Promise<void> {
    // Kept as long as any token of the family could be: then it expires with them.
    await this.redis.set(this.key('revoked', familyId), '1', 'EX', this.settings.refreshTtlSeconds);
  }

  async account(accountId: string): Promise<DirectoryEntry | null> {
    const raw = await this.redis.hget(this.key('directory', 'accounts'), accountId);
    return raw ? (JSON.parse(raw) as DirectoryEntry) : null;
  }

  /** Applies an account event to the directory, unless one of the same or a later version was (in one step). */
  async record(accountId: string, entry: DirectoryEntry): Promise<void> {
    await this.redis.eval(
      RECORD,
      1,
      this.key('directory', 'accounts'),
      accountId,
      JSON.stringify(entry),
      entry.version,
    );
  }

  async directorySize(): Promise<number> {
    return this.redis.hlen(this.key('directory', 'accounts'));
  }

  async clearDirectory(): Promise<void> {
    await this.redis.del(this.key('directory', 'accounts'));
  }
}
