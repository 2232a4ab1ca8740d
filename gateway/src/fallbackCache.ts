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
 */

export interface FallbackEntry {
  storedAt: number;
  response: unknown;
}

export interface FallbackCacheOptions {
  redis: Redis | null;
  prefix: string;
  ttlSeconds: number;
  localEntries?: number;
  /** An entry younger than this is not written again (saves a Redis write per hot request). */
  rewriteAfterMs?: number;
  log: Logger;
}

export class FallbackCache {
  private readonly local: LRUCache<string, FallbackEntry>;

  constructor(private readonly options: FallbackCacheOptions) {
    this.local = new LRUCache({ max: options.localEntries ?? 10_000, ttl: options.ttlSeconds * 1000 });
  }

  key(subgraph: string, query: string, variables: unknown, caller: string | null): string {
    const digest = createHash('sha256')
      .update(query)
      .update('\0')
      .update(JSON.stringify(variables ?? {}))
      .update('\0')
      .update(caller ?? '')
      .digest('base64url');
    return `${this.options.prefix}:fallback:${subgraph}:${digest}`;
  }

  /** Records a good answer; never throws (a cache that is down must not fail the request). */
  store(key: string, response: unknown, now = Date.now()): void {
    const existing = this.local.get(key);
    if (existing && now - existing.storedAt < (this.options.rewriteAfterMs ?? 5000)) return;
    const entry = { storedAt: now, response };
    this.local.set(key, entry);
    this.options.redis
      ?.set(key, JSON.stringify(entry), 'EX', this.options.ttlSeconds)
      .catch((error) => this.options.log.debug({ err: error }, 'fallback store failed'));
  }

  async lookup(key: string): Promise<FallbackEntry | null> {
    const local = this.local.get(key);
    if (local) return local;
    if (!this.options.redis) return null;
    try {
      const raw = await this.options.redis.get(key);
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
