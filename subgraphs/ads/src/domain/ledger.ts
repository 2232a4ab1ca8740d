/*
 * The ad money ledger, double entry: every movement is a journal entry whose
 * postings (signed whole won) sum to zero. Balances are derived by adding
 * postings up, never kept and updated in place.
 *
 * Accounts: an owner's wallet per shop (what they may spend), the amounts a
 * shop's running contracts hold, the payments clearing account a top-up comes
 * from, and revenue per product. A wallet's balance is what its postings add
 * up to; fees may take it below zero (they cannot be refused).
 */

export interface Posting {
  account: string;
  /** Signed whole won: into the account (+) or out of it (−). */
  amount: number;
}

export interface JournalEntry {
  /** Unique: the event or command it records, so it is posted once. */
  id: string;
  postings: readonly Posting[];
}

export const accounts = {
  wallet: (shopId: string) => `wallet:${shopId}`,
  held: (shopId: string) => `held:${shopId}`,
  clearing: 'payments:clearing',
  revenue: (product: string) => `revenue:${product}`,
};

/** An entry, refused unless every amount is whole won and they sum to zero. */
export function journalEntry(id: string, postings: readonly Posting[]): JournalEntry {
  if (postings.length < 2) throw new Error(`entry ${id} needs two postings`);
  let sum = 0;
  for (const { account, amount } of postings) {
    if (!Number.isSafeInteger(amount)) throw new Error(`entry ${id}: ${account} gets ${amount}, not whole won`);
    sum += amount;
  }
  if (sum !== 0) throw new Error(`entry ${id} does not balance: its postings sum to ${sum}`);
  return { id, postings };
}

/** Money paid in through payments, credited to the shop's wallet. */
export const topUp = (id: string, shopId: string, amount: number) =>
  journalEntry(id, [
    { account: accounts.clearing, amount: -amount },
    { account: accounts.wallet(shopId), amount },
  ]);

/** A contract's price, held out of the wallet when it is made. */
export const holdForContract = (id: string, shopId: string, price: number) =>
  journalEntry(id, [
    { account: accounts.wallet(shopId), amount: -price },
    { account: accounts.held(shopId), amount: price },
  ]);

/** A day of a contract, moved from what it holds to revenue. */
export const settleDay = (id: string, shopId: string, product: string, cost: number) =>
  journalEntry(id, [
    { account: accounts.held(shopId), amount: -cost },
    { account: accounts.revenue(product), amount: cost },
  ]);

/** What a contract ended early still holds, given back to the wallet. */
export const releaseUnused = (id: string, shopId: string, refund: number) =>
  journalEntry(id, [
    { account: accounts.held(shopId), amount: -refund },
    { account: accounts.wallet(shopId), amount: refund },
  ]);

/** An OPEN_LIST fee for a delivered order, straight from the wallet. */
export const chargeFee = (id: string, shopId: string, fee: number) =>
  journalEntry(id, [
    { account: accounts.wallet(shopId), amount: -fee },
    { account: accounts.revenue('OPEN_LIST'), amount: fee },
  ]);

/** The reversal of an entry (an order's fee, when the order is refunded): every posting turned around. */
export const reversal = (id: string, of: JournalEntry) =>
  journalEntry(
    id,
    of.postings.map(({ account, amount }) => ({ account, amount: -amount })),
  );

/** Each account's balance: its postings added up. */
export function balances(entries: Iterable<JournalEntry>): Map<string, number> {
  const totals = new Map<string, number>();
  for (const entry of entries)
    for (const { account, amount } of entry.postings) totals.set(account, (totals.get(account) ?? 0) + amount);
  return totals;
}
