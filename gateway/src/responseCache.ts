import type http from 'node:http';
import { LRUCache } from 'lru-cache';
import { parse, type OperationDefinitionNode } from 'graphql';
import type { ResponseCache } from '@baedal/platform';

/*
 * A response cache for anonymous customer reads, in front of the GraphQL
 * pipeline: the key is the request body (query or persisted-query hash, and
 * variables), the value the exact bytes answered. Entries live
 * BAEDAL_RESPONSE_CACHE_TTL_MS (1000 ms; 0 turns the cache off), so an
 * owner's change still reaches customers within the 2 s the query model
 * promises. Only answers without errors or stale marks are kept.
 */

const PUBLIC_ROOT_FIELDS = new Set(['home', 'shops', 'shop', 'searchShops']);

export function createResponseCache(ttlMs = Number(process.env.BAEDAL_RESPONSE_CACHE_TTL_MS ?? 1000)): ResponseCache | undefined {
  if (!(ttlMs > 0)) return undefined;
  const entries = new LRUCache<string, Buffer>({ max: 50_000, ttl: ttlMs, ttlAutopurge: false });
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

  return {
    lookup: (req, body) => (anonymous(req) ? (entries.get(body) ?? null) : null),
    store(req, body, status, answer) {
      if (status !== 200 || !anonymous(req) || answer.includes('"errors"') || answer.includes('"stale"')) return;
      if (isPublic(body)) entries.set(body, Buffer.from(answer));
    },
  };
}
