import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { FallbackCache } from './fallbackCache';

/*
 * The fallback cache's bounds, on the module itself (through the gateway it
 * would take minutes) and a real Redis under a key prefix of its own, beside
 * a BullMQ queue as the workers keep one in the same Redis.
 */

describe('FallbackCache bounds, on a real Redis', () => {
  const prefix = `baedal_t_fallback_${process.pid}`;
  let redis: Redis;
  let queue: Queue;
  let queueConnection: Redis;

  beforeAll(async () => {
    redis = new Redis(process.env.BAEDAL_REDIS_URL ?? 'redis://127.0.0.1:6379/0');
    // The queues' keys, as the workers would have them in the same Redis.
    queueConnection = redis.duplicate();
    queue = new Queue('order-events', { connection: queueConnection, prefix: `${prefix}:bull` });
    await queue.addBulk(Array.from({ length: 50 }, (_, i) => ({ name: 'OrderPlaced', data: { i } })));
  });

  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    queueConnection.disconnect();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('keeps at most its entries and bytes per subgraph through 100,000 distinct search answers, and leaves the queues alone', async () => {
    const log = { debug: () => {}, warn: () => {} } as never;
    const cache = new FallbackCache({
      redis,
      prefix,
      ttlSeconds: 3600,
      callerTtlSeconds: 60,
      maxEntries: 1_000,
      maxBytes: 150_000,
      log,
    });
    const queueKeys = (await redis.keys(`${prefix}:bull:*`)).sort();
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 100_000; i++) {
      const key = cache.key('shops', 'query($q: String!) { searchShops(query: $q) { id name } }', { q: `q${i}` }, null);
      writes.push(
        cache.write(key, { storedAt: i, response: `{"data":{"searchShops":[{"id":"${i}","name":"치킨 ${i}"}]}}` }),
      );
      if (writes.length >= 5_000) await Promise.all(writes.splice(0));
    }
    await Promise.all(writes);
    // A second subgraph has bounds of its own.
    await cache.write(cache.key('ads', '{ x }', {}, 'CUSTOMER:u1'), { storedAt: 1, response: 'private' });

    const entries = await redis.keys(`${prefix}:fallback:{shops}:shared:*`);
    const bytes = Number(await redis.get(`${prefix}:fallback:{shops}:bytes`));
    expect(entries.length).toBeLessThanOrEqual(1_000);
    expect(entries.length).toBeGreaterThan(500);
    expect(bytes).toBeLessThanOrEqual(150_000);
    const stored = await redis.mget(...entries);
    expect(stored.reduce((sum, text) => sum + Buffer.byteLength(text ?? ''), 0)).toBeLessThanOrEqual(150_000);
    // The newest answers are the ones kept.
    const newest = cache.key(
      'shops',
      'query($q: String!) { searchShops(query: $q) { id name } }',
      { q: 'q99999' },
      null,
    );
    cache.clearLocal();
    expect((await cache.lookup(newest))?.storedAt).toBe(99_999);
    // Per-caller answers live shorter, under the caller's TTL.
    const [privateKey] = await redis.keys(`${prefix}:fallback:{ads}:caller:*`);
    expect(await redis.ttl(privateKey)).toBeLessThanOrEqual(60);
    expect(await redis.ttl(entries[0])).toBeGreaterThan(60);

    expect((await redis.keys(`${prefix}:bull:*`)).sort()).toEqual(queueKeys);
    expect((await queue.getJobCounts('waiting')).waiting).toBe(50);
  }, 120_000);
});
