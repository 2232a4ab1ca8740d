import Redis from 'ioredis';
import { takeTurn } from './clock';

const url = process.env.BAEDAL_REDIS_URL ?? 'redis://127.0.0.1:6379';
const key = `baedal_workers_test_${process.pid}:clock-turn`;
let redis: Redis;

beforeAll(() => {
  redis = new Redis(url);
});
afterAll(async () => {
  await redis.del(key);
  redis.disconnect();
});

describe('takeTurn', () => {
  it('gives each period to one asker only, and the next period to whoever asks first', async () => {
    const askers = await Promise.all(Array.from({ length: 4 }, () => takeTurn(redis, key, 1200)));
    expect(askers.filter(Boolean)).toHaveLength(1);
    expect(await takeTurn(redis, key, 1200)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the turn lasts the period less a second
    expect(await takeTurn(redis, key, 1200)).toBe(true);
  });

  it('lets the process run the job when Redis cannot be reached', async () => {
    const down = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    expect(await takeTurn(down, key, 1200)).toBe(true);
    down.disconnect();
  });
});
