import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { InMemoryLRUCache, type KeyValueCache, type KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import { GraphQLError } from 'graphql';
import type Redis from 'ioredis';

/*
 * Operations a client sends by their hash. Automatic persisted queries are
 * kept in Redis, so a query registered through one gateway process is known
 * to all, with an in-process tier in front, so a Redis outage does not
 * break them. In trusted-documents mode (BAEDAL_TRUSTED_DOCUMENTS) only the
 * operations an app registered run: the manifest is read into memory when
 * the gateway starts, and a request names one by its hash (or sends its
 * exact text); anything else is refused before any work.
 */

/** APQ's store: this process's LRU, then Redis shared by every process; a Redis error is a miss, never a failure. */
export class TieredCache implements KeyValueCache<string> {
  private readonly local = new InMemoryLRUCache<string>({ maxSize: 16 * 1024 * 1024 });

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async get(key: string): Promise<string | undefined> {
    const kept = await this.local.get(key);
    if (kept !== undefined) return kept;
    const shared = await this.redis.get(`${this.prefix}:persisted:${key}`).catch(() => null);
    if (shared === null) return undefined;
    await this.local.set(key, shared);
    return shared;
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    await this.local.set(key, value, options);
    const ttl = options?.ttl;
    const write = ttl
      ? this.redis.set(`${this.prefix}:persisted:${key}`, value, 'EX', ttl)
      : this.redis.set(`${this.prefix}:persisted:${key}`, value);
    await write.catch(() => undefined);
  }

  async delete(key: string): Promise<void> {
    await this.local.delete(key);
    await this.redis.del(`${this.prefix}:persisted:${key}`).catch(() => undefined);
  }
}

/** One registered operation, in Apollo's persisted query manifest format. */
export interface ManifestOperation {
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
}

export interface PersistedQueryManifest {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: ManifestOperation[];
}

/** Where `npm run operations -- register` writes the registered operations, unless told otherwise. */
export const TRUSTED_DOCUMENTS_PATH = path.resolve(__dirname, '..', 'trusted-documents.json');

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function notAllowed(): GraphQLError {
  return new GraphQLError('Only the operations registered for an app run here; this one is not', {
    extensions: { code: 'PERSISTED_QUERY_NOT_ALLOWED', http: { status: 400 } },
  });
}

/** The registered operations, by hash. */
export interface TrustedDocuments {
  readonly size: number;
  /** Null when the request runs a registered operation (by its hash or its exact text); else the refusal. */
  refusalOf(request: { query?: unknown; extensions?: unknown }): GraphQLError | null;
  /** The pipeline's APQ store in this mode: the registered operations alone, read-only. */
  readonly cache: KeyValueCache<string>;
}

export function loadTrustedDocuments(manifestPath: string): TrustedDocuments {
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as PersistedQueryManifest;
  if (manifest.format !== 'apollo-persisted-query-manifest' || !Array.isArray(manifest.operations))
    throw new Error(`${manifestPath} is not a persisted query manifest`);
  const byHash = new Map(manifest.operations.map((o) => [o.id, o.body]));
  return {
    size: byHash.size,
    refusalOf(request) {
      if (typeof request.query === 'string') return byHash.has(sha256(request.query)) ? null : notAllowed();
      const hash = (request.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery
        ?.sha256Hash;
      return typeof hash === 'string' && byHash.has(hash) ? null : notAllowed();
    },
    cache: {
      // Apollo keeps APQs under "apq:<hash>".
      get: (key) => Promise.resolve(byHash.get(key.replace(/^apq:/, ''))),
      set: () => Promise.resolve(),
      delete: () => Promise.resolve(false),
    },
  };
}
