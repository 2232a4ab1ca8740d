import type http from 'node:http';
import { LRUCache } from 'lru-cache';
import { Kind, OperationTypeNode, parse, type OperationDefinitionNode } from 'graphql';
import type Redis from 'ioredis';
import { queryModelChannel, type QueryModelChange } from '@baedal/platform';
import { gatewayConfig } from './config';

/*
 * A response cache for anonymous customer reads, in front of the GraphQL
 * pipeline: the key is the request body (query or persisted-query hash, and
 * variables), the value the exact bytes answered. The workers announce every
 * change of the customer query model on QUERY_MODEL_CHANGED, and every
 * gateway process empties its cache then (only the lists when the clock alone
 * moved shops), so an owner's change still reaches customers within the 2 s
 * the query model promises. Entries also expire after
 * BAEDAL_RESPONSE_CACHE_TTL_MS (30 s: open-now follows the clock; 0 turns the
 * cache off). Only answers without errors are kept; answers marked stale for a second.
 */

/** Answers a request before the GraphQL pipeline runs, and learns answers after it. */
export interface ResponseCache {
  /** The cached answer, or (for a request another one is already computing) a promise of it; null to compute. */
  lookup(req: http.IncomingMessage, rawBody: string): Buffer | Promise<Buffer | null> | null;
  store(req: http.IncomingMessage, rawBody: string, status: number, body: string): void;
}

const PUBLIC_ROOT_FIELDS = new Set(['home', 'shops', 'shop', 'searchShops']);

/** A public read of one shop's document (`shop` alone), or of lists of shops (everything else public); false if not public. */
type ReadKind = 'document' | 'list' | false;

export function createResponseCache(
  changes: Redis | null,
  ttlMs = gatewayConfig().BAEDAL_RESPONSE_CACHE_TTL_MS,
): ResponseCache | undefined {
  if (!(ttlMs > 0)) return undefined;
  // Two stores, because the clock changes lists (open now, running ads) far more often than documents.
  const stores = {
    document: new LRUCache<string, Buffer>({ max: 40_000, ttl: ttlMs, ttlAutopurge: false }),
    list: new LRUCache<string, Buffer>({ max: 10_000, ttl: ttlMs, ttlAutopurge: false }),
  };
  if (changes) {
    void changes.subscribe(queryModelChannel());
    changes.on('message', (_channel: string, change: string) => {
      stores.list.clear();
      if ((change as QueryModelChange) !== 'listings') stores.document.clear();
    });
  }
  // What a query text reads: parsed once per distinct text.
  const kinds = new LRUCache<string, { kind: ReadKind }>({ max: 5_000 });

  const kindOf = (body: string): ReadKind => {
    let query: string | undefined;
    try {
      query = (JSON.parse(body) as { query?: string }).query;
    } catch {
      return false;
    }
    if (!query) return false;
    let known = kinds.get(query);
    if (known === undefined) {
      known = { kind: false };
      try {
        const operations = parse(query).definitions.filter(
          (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
        );
        const fields =
          operations.length === 1 && operations[0].operation === OperationTypeNode.QUERY
            ? operations[0].selectionSet.selections
            : [];
        const names = fields.map((s) => (s.kind === Kind.FIELD ? s.name.value : ''));
        if (names.length && names.every((name) => PUBLIC_ROOT_FIELDS.has(name)))
          known = { kind: names.every((name) => name === 'shop') ? 'document' : 'list' };
      } catch {
        // not GraphQL: not cached
      }
      kinds.set(query, known);
    }
    return known.kind;
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
      const hit = stores.list.get(body) ?? stores.document.get(body);
      if (hit) return hit;
      if (!kindOf(body)) return null;
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
      const kind = anonymous(req) ? kindOf(body) : false;
      if (!kind) return;
      const cacheable = status === 200 && !answer.includes('"errors"');
      const bytes = cacheable ? Buffer.from(answer) : null;
      // An answer from the fallback cache (marked stale) is kept only a second, so a recovered subgraph shows at once.
      if (bytes) stores[kind].set(body, bytes, answer.includes('"stale"') ? { ttl: 1000 } : undefined);
      settle(body, bytes);
    },
  };
}
