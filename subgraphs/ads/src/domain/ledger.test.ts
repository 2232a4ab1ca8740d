import fc from 'fast-check';
import {
  accounts,
  balances,
  chargeFee,
  holdForContract,
  journalEntry,
  releaseUnused,
  reversal,
  settleDay,
  topUp,
  type JournalEntry,
} from './ledger';
import { contractPrice, dailyCost, openListFee, unusedRefund, type PriceTable } from './pricing';

const table: PriceTable = {
  version: 1,
  effectiveFrom: new Date('2026-01-01T00:00:00Z'),
  ultraCallPer30Days: { GANGNAM: 88_000, MAPO: 77_000 },
  openList: { basisPoints: 680, floorWon: 300 },
};

describe('journal entries', () => {
  it('balance, in whole won, or are refused', () => {
    expect(topUp('t1', 's1', 50_000).postings).toEqual([
      { account: 'payments:clearing', amount: -50_000 },
      { account: 'wallet:s1', amount: 50_000 },
    ]);
    expect(() =>
      journalEntry('x', [
        { account: 'a', amount: 10 },
        { account: 'b', amount: -9 },
      ]),
    ).toThrow(/sum to 1/);
    expect(() =>
      journalEntry('x', [
        { account: 'a', amount: 0.5 },
        { account: 'b', amount: -0.5 },
      ]),
    ).toThrow(/not whole won/);
    expect(() => journalEntry('x', [{ account: 'a', amount: 0 }])).toThrow(/two postings/);
  });

  it('reverse exactly', () => {
    const fee = chargeFee('f1', 's1', 1_598);
    expect(balances([fee, reversal('f1-reversed', fee)])).toEqual(
      new Map([
        ['wallet:s1', 0],
        ['revenue:OPEN_LIST', 0],
      ]),
    );
  });
});

/*
 * Random sequences of what happens to one shop's ad money (top-ups, ULTRA_CALL
 * contracts settled day by day and perhaps ended early, OPEN_LIST fees and
 * their reversals), each step sometimes delivered twice. The ledger keeps an
 * entry once by its id; the oracle adds the money up itself, from the rules
 * as the issue states them, not from the ledger's code.
 */
type Step =
  | { kind: 'topUp'; amount: number }
  | { kind: 'contract'; area: 'GANGNAM' | 'MAPO'; days: number; used: number }
  | { kind: 'fee'; itemsTotal: number; refunded: boolean };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('topUp' as const), amount: fc.integer({ min: 1, max: 1_000_000 }) }),
  fc
    .record({
      kind: fc.constant('contract' as const),
      area: fc.constantFrom('GANGNAM' as const, 'MAPO' as const),
      days: fc.integer({ min: 1, max: 90 }),
      used: fc.integer({ min: 0, max: 90 }),
    })
    .map((c) => ({ ...c, used: Math.min(c.used, c.days) })),
  fc.record({
    kind: fc.constant('fee' as const),
    itemsTotal: fc.integer({ min: 0, max: 500_000 }),
    refunded: fc.boolean(),
  }),
);

describe('the ledger, against an oracle', () => {
  it('balances and equals the money as the rules add it up, to the won', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(step, fc.boolean()), { maxLength: 40 }), (steps) => {
        const posted = new Map<string, JournalEntry>();
        const post = (entry: JournalEntry, twice: boolean) => {
          for (const _ of twice ? [1, 2] : [1]) if (!posted.has(entry.id)) posted.set(entry.id, entry);
        };
        const oracle = { wallet: 0, held: 0, ultraCall: 0, openList: 0, paidIn: 0 };
        steps.forEach(([s, twice], n) => {
          if (s.kind === 'topUp') {
            post(topUp(`top-up ${n}`, 's1', s.amount), twice);
            oracle.wallet += s.amount;
            oracle.paidIn += s.amount;
          } else if (s.kind === 'contract') {
            const price = contractPrice(table, 'ULTRA_CALL', s.area, s.days);
            post(holdForContract(`contract ${n}`, 's1', price), twice);
            for (let day = 1; day <= s.used; day++)
              post(settleDay(`contract ${n} day ${day}`, 's1', 'ULTRA_CALL', dailyCost(price, s.days, day)), twice);
            if (s.used < s.days)
              post(releaseUnused(`contract ${n} ended`, 's1', unusedRefund(price, s.days, s.used)), twice);
            // The oracle's own arithmetic of the stated rule: the contract's price rounded down to the won, then
            // the used days' share of it rounded down; what is not charged goes back to the wallet.
            const price_ = Math.floor((table.ultraCallPer30Days[s.area] * s.days) / 30);
            const charged = Math.floor((price_ * s.used) / s.days);
            oracle.wallet -= charged;
            oracle.ultraCall += charged;
          } else {
            const fee = openListFee(table, s.itemsTotal);
            const charge = chargeFee(`order ${n} delivered`, 's1', fee);
            post(charge, twice);
            if (s.refunded) post(reversal(`order ${n} refunded`, charge), twice);
            const expected = s.refunded ? 0 : Math.max(Math.floor((s.itemsTotal * 68) / 1000), 300);
            oracle.wallet -= expected;
            oracle.openList += expected;
          }
        });
        const totals = balances(posted.values());
        const of = (account: string) => totals.get(account) ?? 0;
        expect([...totals.values()].reduce((a, b) => a + b, 0)).toBe(0);
        expect({
          wallet: of(accounts.wallet('s1')),
          held: of(accounts.held('s1')),
          ultraCall: of(accounts.revenue('ULTRA_CALL')),
          openList: of(accounts.revenue('OPEN_LIST')),
          paidIn: 0 - of(accounts.clearing),
        }).toEqual(oracle);
      }),
      { numRuns: 300 },
    );
  });
});
