/*
 * Helpers for the tests of rules (every subgraph's domain/): imported as
 * @baedal/platform/testing, never by running code.
 */

/** What a rule answered: 'allowed' when it threw nothing, else its error's code (and field, when it names one). */
export function refusalOf(rule: () => unknown): string {
  try {
    rule();
    return 'allowed';
  } catch (error) {
    const { code, field } = (error as { extensions?: { code?: string; field?: string } }).extensions ?? {};
    if (!code) throw error;
    return field ? `${code}:${field}` : code;
  }
}
