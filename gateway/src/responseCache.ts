import { LRUCache } from 'lru-cache';
import type Redis from 'ioredis';
import { queryModelChannel, type QueryModelChange } from '@baedal/platform';

/*
 * A response cache for shared operations (operation.ts decides which: every
 * field public), in front of the GraphQL pipeline and whoever asks: the key
 * is the supergraph's hash and the request body (query and variables), never
 * the caller; the value the exact bytes answered. The workers announce every
 * change of the customer query model on QUERY_MODEL_CHANGED, and every
 * gateway process empties its cache then (only the lists when the clock
 * alone moved shops), so an owner's change still reaches customers within
 * the 2 s the query model promises. Entries also expire after
 * BAEDAL_RESPONSE_CACHE_TTL_MS (30 s: open-now follows the clock; 0 turns the
 * cache off). Only answers without errors are kept; answers marked stale for a second.
 */

/** A kept answer: its bytes, and the operation it answers (for the metrics, which a hit does not parse). */
export interface KeptAnswer {
  bytes: Buffer;
  operation: string;
}

export interface ResponseCache {
  /** The kept answer for this body, or null. Only shared answers are ever kept, so no decision is needed to read. */
  lookup(rawBody: string): KeptAnswer | null;
  /**
   * For a shared operation that missed: null if this request should compute the answer, or a promise of
   * the answer another request is already computing (null if it fails).
   */
  join(rawBody: string): Promise<KeptAnswer | null> | null;
  /** Keeps a shared operation's answer. `document` answers survive a listings change. */
  store(rawBody: string, document: boolean, status: number, body: string, operation: string): void;
}

export interface ResponseCacheOptions {
  /** The supergraph's hash: no answer made under another schema is served. */
  schemaHash: string;
  ttlMs: number;
}

export function createResponseCache(changes: Redis | null, options: ResponseCacheOptions): ResponseCache | undefined {
  const { ttlMs, schemaHash } = options;
  if (!(ttlMs > 0)) return undefined;
  // Two stores, because the clock changes lists (open now, running ads) far more often than documents.
  const stores = {
    document: new LRUCache<string, KeptAnswer>({ max: 40_000, ttl: ttlMs, ttlAutopurge: false }),
    list: new LRUCache<string, KeptAnswer>({ max: 10_000, ttl: ttlMs, ttlAutopurge: false }),
  };
  if (changes) {
    void changes.subscribe(queryModelChannel());
    changes.on('message', (_channel: string, change: string) => {
      stores.list.clear();
      if ((change as QueryModelChange) !== 'listings') stores.document.clear();
    });
  }
  const keyOf = (body: string) => `${schemaHash}\n${body}`;

  // Requests for the same missing answer wait for the first one instead of all computing it (a burst
  // on a cold or just-emptied cache would otherwise send every request through the pipeline).
  const inFlight = new Map<string, (answer: KeptAnswer | null) => void>();
  const waiting = new Map<string, Promise<KeptAnswer | null>>();
  const settle = (key: string, answer: KeptAnswer | null) => {
    inFlight.get(key)?.(answer);
    inFlight.delete(key);
    waiting.delete(key);
  };

  return {
    lookup(body) {
      const key = keyOf(body);
      return stores.list.get(key) ?? stores.document.get(key) ?? null;
    },
    join(body) {
      const key = keyOf(body);
      const pending = waiting.get(key);
      if (pending) return pending;
      const promise = new Promise<KeptAnswer | null>((resolve) => {
        inFlight.set(key, resolve);
        // Never wait long: if the first request fails without an answer, the others compute their own.
        setTimeout(() => settle(key, null), 2000).unref();
      });
      waiting.set(key, promise);
      return null;
    },
    store(body, document, status, answer, operation) {
      const key = keyOf(body);
      const cacheable = status === 200 && !answer.includes('"errors"');
      const kept = cacheable ? { bytes: Buffer.from(answer), operation } : null;
      // An answer from the fallback cache (marked stale) is kept only a second, so a recovered subgraph shows at once.
      if (kept)
        stores[document ? 'document' : 'list'].set(key, kept, answer.includes('"stale"') ? { ttl: 1000 } : undefined);
      settle(key, kept);
    },
  };
}
