/**
 * The bare server's key for a command's answer: a command carries fresh
 * variables on every request (idempotency keys, order ids), so reference (a)
 * finds its answer by the operation's text instead of by the whole body.
 */
export const operationKey = (query: string): string => `operation:${query}`;
