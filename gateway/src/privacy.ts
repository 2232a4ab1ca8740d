/*
 * Which subgraph operations return caller-specific data. Their fallback
 * entries are keyed by caller as well, so one customer's data is never served
 * to another. The check is by name and errs towards private: a public
 * operation marked private only loses sharing, never leaks.
 */

/** Root fields whose answer depends on who asks. */
const PRIVATE_ROOT_FIELDS = ['me', 'myOrders', 'myShops', 'order', 'shopOrders'];
/** Entity types whose fields are per-customer. */
const PRIVATE_ENTITY_TYPES = ['Order', 'Payment', 'User'];
/** Fields that are per-caller wherever they appear. */
const PRIVATE_FIELDS = ['email', 'orders', 'payment', 'paymentToken'];

const pattern = new RegExp(
  [
    `\\b(${[...PRIVATE_ROOT_FIELDS, ...PRIVATE_FIELDS].join('|')})\\b\\s*[({@}\\s]`,
    `\\.\\.\\.\\s*on\\s+(${PRIVATE_ENTITY_TYPES.join('|')})\\b`,
  ].join('|'),
);

export function isCallerSpecific(subgraphQuery: string): boolean {
  return pattern.test(subgraphQuery);
}

export function isMutation(subgraphQuery: string): boolean {
  return /^\s*mutation\b/.test(subgraphQuery);
}
