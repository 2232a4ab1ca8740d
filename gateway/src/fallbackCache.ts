import { createHash } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type Redis from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Logger } from '@baedal/platform';
import type { GatewayContext } from './context';

/*
 * The last good answer of each subgraph query, kept for emergencies: when a
 * subgraph fails, the gateway answers from here. Redis holds it for every
 * gateway instance; a small in-process tier in front saves a round trip.
 *
 * Bounded, so it can never crowd out anything else in its Redis: per
 * subgraph, at most `maxEntries` answers and `maxBytes` of them (the oldest
 * written go first), kept by one script that writes and trims together. An
 * answer private to one caller is kept for `callerTtlSeconds`, shorter than
 * a shared one. In production its Redis is a server of its own
 * (BAEDAL_FALLBACK_REDIS_URL, allkeys-lru), never the queues' (noeviction).
 */

export interface FallbackEntry {
  storedAt: number;
  response: unknown;
}

export interface FallbackCacheOptions {
  redis: Redis | null;
  prefix: string;
  /** How long a shared answer is kept. */
  ttlSeconds: number;
  /** How long an answer private to one caller is kept. */
  callerTtlSeconds: number;
  /** Per subgraph, in Redis. */
  maxEntries: number;
  /** Per subgraph, in Redis: the answers' bytes (the index beside them is not counted). */
  maxBytes: number;
  localEntries?: number;
  localBytes?: number;
  /** An entry younger than this is not written again (saves a Redis write per hot request). */
  rewriteAfterMs?: number;
  log: Logger;
}

/** Writes an entry, indexes it by age with its size, and drops the oldest until the subgraph is within its bounds. */
const STORE_BOUNDED = `
local old = tonumber(redis.call('HGET', KEYS[3], KEYS[1]) or '0')
local size = string.len(ARGV[1])
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], KEYS[1])
redis.call('HSET', KEYS[3], KEYS[1], size)
local total = redis.call('INCRBY', KEYS[4], size - old)
local count = redis.call('ZCARD', KEYS[2])
local maxEntries = tonumber(ARGV[4])
local maxBytes = tonumber(ARGV[5])
while count > maxEntries or total > maxBytes do
  local oldest = redis.call('ZPOPMIN', KEYS[2])
  if #oldest == 0 then break end
  local bytes = tonumber(redis.call('HGET', KEYS[3], oldest[1]) or '0')
  redis.call('HDEL', KEYS[3], oldest[1])
  redis.call('DEL', oldest[1])
  total = redis.call('DECRBY', KEYS[4], bytes)
  count = count - 1
end
return count
`;

type BoundedRedis = Redis & {
  storeBounded(
    entry: string,
    index: string,
    sizes: string,
    total: string,
    value: string,
    ttlSeconds: number,
    now: number,
    maxEntries: number,
    maxBytes: number,
  ): Promise<number>;
};

export class FallbackCache {
  private readonly local: LRUCache<string, FallbackEntry>;
  private readonly redis: BoundedRedis | null;

  constructor(private readonly options: FallbackCacheOptions) {
    this.local = new LRUCache({
      max: options.localEntries ?? 10_000,
      maxSize: options.localBytes ?? 64 * 1024 * 1024,
      sizeCalculation: (entry) => Math.max(1, JSON.stringify(entry.response ?? null).length),
      ttl: options.ttlSeconds * 1000,
    });
    this.redis = options.redis as BoundedRedis | null;
    if (this.redis && typeof this.redis.storeBounded !== 'function')
      this.redis.defineCommand('storeBounded', { numberOfKeys: 4, lua: STORE_BOUNDED });
  }

  /** The subgraph's keys share a hash tag, so the bounding script's keys sit in one slot of a cluster. */
  private subgraphKey(subgraph: string, what: string): string {
    return `${this.options.prefix}:fallback:{${subgraph}}:${what}`;
  }

  /** Where a subgraph query's answer is kept: shared by every caller (caller null), or the caller's own. */
  key(subgraph: string, query: string, variables: unknown, caller: string | null): string {
    const digest = createHash('sha256')
      .update(query)
      .update('\0')
      .update(JSON.stringify(variables ?? {}))
      .update('\0')
      .update(caller ?? '')
      .digest('base64url');
    return this.subgraphKey(subgraph, `${caller === null ? 'shared' : 'caller'}:${digest}`);
  }

  /** Records a good answer; never throws (a cache that is down must not fail the request). */
  store(key: string, response: unknown, now = Date.now()): void {
    const existing = this.local.get(key);
    if (existing && now - existing.storedAt < (this.options.rewriteAfterMs ?? 5000)) return;
    const entry = { storedAt: now, response };
    this.local.set(key, entry, { ttl: this.ttlOf(key) * 1000 });
    this.write(key, entry, now).catch((error) => this.options.log.debug({ err: error }, 'fallback store failed'));
  }

  /** Writes an entry to Redis within the subgraph's bounds (tests await it; the gateway does not). */
  async write(key: string, entry: FallbackEntry, now = Date.now()): Promise<void> {
    if (!this.redis) return;
    const subgraph = /:fallback:\{(.*)\}:/.exec(key)?.[1] ?? '';
    await this.redis.storeBounded(
      key,
      this.subgraphKey(subgraph, 'index'),
      this.subgraphKey(subgraph, 'sizes'),
      this.subgraphKey(subgraph, 'bytes'),
      JSON.stringify(entry),
      this.ttlOf(key),
      now,
      this.options.maxEntries,
      this.options.maxBytes,
    );
  }

  private ttlOf(key: string): number {
    return key.includes('}:caller:') ? this.options.callerTtlSeconds : this.options.ttlSeconds;
  }

  async lookup(key: string): Promise<FallbackEntry | null> {
    const local = this.local.get(key);
    if (local) return local;
    if (!this.redis) return null;
    try {
      const raw = await this.redis.get(key);
      if (!raw) return null;
      const entry = JSON.parse(raw) as FallbackEntry;
      this.local.set(key, entry);
      return entry;
    } catch (error) {
      this.options.log.warn({ err: error }, 'fallback lookup failed');
      return null;
    }
  }

  /** Forgets the in-process tier (tests use it to prove Redis alone serves). */
  clearLocal(): void {
    this.local.clear();
  }
}

/** `extensions.stale`: which subgraphs were answered from the fallback cache, and how old that data is. */
export function staleExtension(stale: Map<string, number>) {
  return { stale: { subgraphs: [...stale].map(([name, ageSeconds]) => ({ name, ageSeconds })) } };
}

/**
 * A kept answer's text with `extensions.stale` added. Most kept answers have no
 * extensions; then the marker is appended to the text instead of the whole
 * answer (a shop's document with its menu) being parsed and written again.
 */
export function withStaleMarker(text: string, stale: Map<string, number>): string {
  const extension = staleExtension(stale);
  const kept = text.trimEnd();
  // No "extensions" anywhere in the text (a string value holds it escaped), so none at the top level to merge with.
  if (kept.length > 2 && kept.startsWith('{') && kept.endsWith('}') && !kept.includes('"extensions"')) {
    return `${kept.slice(0, -1)},"extensions":${JSON.stringify(extension)}}`;
  }
  const answer = JSON.parse(kept) as { extensions?: Record<string, unknown> };
  return JSON.stringify({ ...answer, extensions: { ...answer.extensions, ...extension } });
}

/** Marks an answer the pipeline made with any kept copy in it (single-subgraph answers are marked by withStaleMarker). */
export const staleMarkerPlugin: ApolloServerPlugin<GatewayContext> = {
  requestDidStart() {
    return Promise.resolve({
      willSendResponse({ response, contextValue }) {
        if (!contextValue.stale.size || response.body.kind !== 'single') return Promise.resolve();
        const { singleResult } = response.body;
        singleResult.extensions = { ...singleResult.extensions, ...staleExtension(contextValue.stale) };
        return Promise.resolve();
      },
    });
  },
};
