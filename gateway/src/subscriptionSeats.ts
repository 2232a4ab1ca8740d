import type Redis from 'ioredis';

/*
 * A caller's live subscriptions across every gateway process: seats in one
 * Redis sorted set per caller, each scored by when its lease ends. A process
 * renews the leases of the seats it holds; a process that died stops renewing
 * them, and they lapse. When Redis cannot answer, the seat is given (counts
 * fail open, as the rate limits' do): the process's own count still bounds the
 * caller there, and renewing writes the seats back once Redis answers again.
 */

// Drops lapsed seats, refuses past the most, takes one.
const TAKE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`;

type SeatsRedis = Redis & {
  takeSubscriptionSeat(
    key: string,
    now: number,
    most: number,
    until: number,
    seat: string,
    leaseMs: number,
  ): Promise<number>;
};

export class SubscriptionSeats {
  /** The seats this process holds, and each one's key. */
  private readonly held = new Map<string, string>();
  private readonly renewing: NodeJS.Timeout;
  private readonly redis: SeatsRedis;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly most: number,
    private readonly leaseMs = 60_000,
  ) {
    this.redis = redis as SeatsRedis;
    this.redis.defineCommand('takeSubscriptionSeat', { numberOfKeys: 1, lua: TAKE });
    this.renewing = setInterval(() => void this.renew(), leaseMs / 3);
    this.renewing.unref();
  }

  // One key per caller, hash-tagged, so the set lives on one node of a cluster.
  private key(callerId: string): string {
    return `${this.prefix}:subscriptions:{${callerId}}`;
  }

  /** Takes `seat` for `callerId`; false when they hold the most already. */
  async take(callerId: string, seat: string): Promise<boolean> {
    const key = this.key(callerId);
    const now = Date.now();
    try {
      if ((await this.redis.takeSubscriptionSeat(key, now, this.most, now + this.leaseMs, seat, this.leaseMs)) !== 1)
        return false;
    } catch {
      // Redis did not answer: the seat is given.
    }
    this.held.set(seat, key);
    return true;
  }

  release(seat: string): void {
    const key = this.held.get(seat);
    if (!key) return;
    this.held.delete(seat);
    this.redis.zrem(key, seat).catch(() => {});
  }

  private async renew(): Promise<void> {
    if (!this.held.size) return;
    const until = Date.now() + this.leaseMs;
    const pipeline = this.redis.pipeline();
    for (const [seat, key] of this.held) pipeline.zadd(key, until, seat).pexpire(key, this.leaseMs);
    await pipeline.exec().catch(() => {});
  }

  close(): void {
    clearInterval(this.renewing);
  }
}
