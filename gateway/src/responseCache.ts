import type http from 'node:http';
import { LRUCache } from 'lru-cache';
import { parse, type OperationDefinitionNode } from 'graphql';
import type Redis from 'ioredis';
import { queryModelChannel, type ResponseCache } from '@baedal/platform';

/*
 * A response cache for anonymous customer reads, in front of the GraphQL
 * pipeline: the key is the request body (query or persisted-query hash, and
 * variables), the value the exact bytes answered. The workers announce every
 * change of the customer query model on QUERY_MODEL_CHANGED, and every
 * gateway process empties its cache then, so an owner's change still reaches
 * customers within the 2 s the query model promises. Entries also expire after
 * BAEDAL_RESPONSE_CACHE_TTL_MS (30 s: open-now follows the clock; 0 turns the
 * cache off). Only answers without errors are kept; answers marked stale for a second.
 */

const PUBLIC_ROOT_FIELDS = new Set(['home', 'shops', 'shop', 'searchShops']);

export function createResponseCache(changes: Redis | null, ttlMs = Number(process.env.BAEDAL_RESPONSE_CACHE_TTL_MS ?? 30_000)): ResponseCache | undefined {
  if (!(ttlMs > 0)) return undefined;
  const entries = new LRUCache<string, Buffer>({ max: 50_000, ttl: ttlMs, ttlAutopurge: false });
  if (changes) {
    void changes.subscribe(queryModelChannel());
    changes.on('message', () => entries.clear());
  }
  // Whether a query text reads public data only: parsed once per distinct text.
  const publicQueries = new LRUCache<string, boolean>({ max: 5_000 });

  const isPublic = (body: string): boolean => {
    let query: string | undefined;
    try {
      query = (JSON.parse(body) as { query?: string }).query;
    } catch {
      return false;
    }
    if (!query) return false;
    let known = publicQueries.get(query);
    if (known === undefined) {
      try {
        const operations = parse(query).definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
        known =
          operations.length === 1 &&
          operations[0].operation === 'query' &&
          operations[0].selectionSet.selections.every((s) => s.kind === 'Field' && PUBLIC_ROOT_FIELDS.has(s.name.value));
      } catch {
        known = false;
      }
      publicQueries.set(query, known);
    }
    return known;
  };

  const anonymous = (req: http.IncomingMessage) => !req.headers.authorization;

  // Requests for the same missing answer wait for the first one instead of all computing it (a burst
  // on a cold or just-emptied cache would otherwise send every request through the pipeline).
  const inFlight = new Map<string, (answer: Buffer | null) => void>();
  const waiting = new Map<string, Promise<Buffer | null>>();
  const settle = (body: string, answer: Buffer | null) => {
    inFlight.get(body)?.(answer);
    inFlight.delete(body);
    waiting.delete(body);
  };

  return {
    lookup(req, body) {
      if (!anonymous(req)) return null;
      const hit = entries.get(body);
      if (hit) return hit;
      if (!isPublic(body)) return null;
      const pending = waiting.get(body);
      if (pending) return pending;
      const promise = new Promise<Buffer | null>((resolve) => {
        inFlight.set(body, resolve);
        // Never wait long: if the first request fails without an answer, the others compute their own.
        setTimeout(() => settle(body, null), 2000).unref();
      });
      waiting.set(body, promise);
      return null;
    },
    store(req, body, status, answer) {
      if (!anonymous(req) || !isPublic(body)) return;
      const cacheable = status === 200 && !answer.includes('"errors"');
      const bytes = cacheable ? Buffer.from(answer) : null;
      // An answer from the fallback cache (marked stale) is kept only a second, so a recovered subgraph shows at once.
      if (bytes) entries.set(body, bytes, answer.includes('"stale"') ? { ttl: 1000 } : undefined);
      settle(body, bytes);
    },
  };
}
