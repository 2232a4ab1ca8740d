/**
 * Splits items into rounds in which each key appears at most once: the n-th
 * item of a key goes to round n, and each round keeps the given order. A
 * set-based write can then do a round in one statement (one row per key),
 * and the rounds one after another keep each key's own order.
 */
export function roundsBy<T>(items: readonly T[], keyOf: (item: T) => string): T[][] {
  const rounds: T[][] = [];
  const seen = new Map<string, number>();
  for (const item of items) {
    const key = keyOf(item);
    const round = seen.get(key) ?? 0;
    seen.set(key, round + 1);
    (rounds[round] ??= []).push(item);
  }
  return rounds;
}
