import DataLoader from 'dataloader';

/** Each key's row from `rows` (in any order, some missing), in the keys' order: null where a key has none. */
export function rowsInOrder<T, K>(keys: readonly K[], rows: readonly T[], keyOf: (row: T) => K): (T | null)[] {
  const byKey = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => byKey.get(key) ?? null);
}

/**
 * A DataLoader that fetches many rows in one query and hands each key its row
 * (or null). Every entity reference resolver uses it, so the gateway's batched
 * `_entities` calls cost one query per batch.
 */
export function rowLoader<T, K extends string = string>(
  fetch: (keys: readonly K[]) => Promise<T[]>,
  keyOf: (row: T) => K,
): DataLoader<K, T | null> {
  return new DataLoader<K, T | null>(async (keys) => rowsInOrder(keys, await fetch(keys), keyOf));
}

/**
 * Like rowLoader, for one-to-many: each key gets every row that belongs to it.
 * `cache: false` for a loader that outlives a request: it batches, and keeps nothing.
 */
export function groupLoader<T, K extends string = string>(
  fetch: (keys: readonly K[]) => Promise<T[]>,
  keyOf: (row: T) => K,
  { cache = true }: { cache?: boolean } = {},
): DataLoader<K, T[]> {
  return new DataLoader<K, T[]>(
    async (keys) => {
      const rows = await fetch(keys);
      const byKey = new Map<K, T[]>(keys.map((key) => [key, []]));
      for (const row of rows) byKey.get(keyOf(row))?.push(row);
      return keys.map((key) => byKey.get(key) ?? []);
    },
    { cache },
  );
}
