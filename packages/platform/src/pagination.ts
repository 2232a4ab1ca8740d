import { badInput } from './errors';

export const MAX_PAGE_SIZE = 50;

/** Validates a `first` argument: a page holds 1 to MAX_PAGE_SIZE items. */
export function pageSize(first: number | null | undefined, fallback = 20): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw badInput('first', `first must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  return size;
}

/** Cursors are opaque to clients: base64url of the sort key of the last item seen. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined, arity: number): unknown[] | null {
  if (cursor === null || cursor === undefined) return null;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === arity) return key as unknown[];
  } catch {
    // fall through to the error below
  }
  throw badInput('after', 'after is not a cursor this list returned');
}

/**
 * A connection page from rows fetched one past the page (`take: size + 1`):
 * each row an edge with the cursor of its sort key, and whether more follow.
 */
export function connectionOf<T>(rows: readonly T[], size: number, keyOf: (row: T) => unknown[]) {
  const edges = rows.slice(0, size).map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  return { edges, pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null } };
}
