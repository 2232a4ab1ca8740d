import {
  chargedAfter,
  contractPrice,
  dailyCost,
  openListFee,
  tableAt,
  unusedRefund,
  validatePriceTable,
  type NewPriceTable,
  type PriceTable,
} from './pricing';

const v1: PriceTable = {
  version: 1,
  effectiveFrom: new Date('2026-01-01T00:00:00Z'),
  ultraCallPer30Days: { GANGNAM: 88_000, MAPO: 77_000 },
  openList: { basisPoints: 680, floorWon: 300 },
};
const v2: PriceTable = {
  ...v1,
  version: 2,
  effectiveFrom: new Date('2026-12-01T00:00:00Z'),
  ultraCallPer30Days: { GANGNAM: 99_000, MAPO: 77_000 },
};

describe('the price table', () => {
  it('prices a contract by the version that applied when it was made', () => {
    expect(tableAt([v1, v2], new Date('2026-11-30T23:59:59Z')).version).toBe(1);
    expect(tableAt([v2, v1], new Date('2026-12-01T00:00:00Z')).version).toBe(2);
    expect(() => tableAt([v2], new Date('2026-11-01T00:00:00Z'))).toThrow(/no price table/);
  });

  it('charges ULTRA_CALL per area per 30 days, rounded down to the won; OPEN_LIST nothing up front', () => {
    expect(contractPrice(v1, 'ULTRA_CALL', 'GANGNAM', 30)).toBe(88_000);
    expect(contractPrice(v1, 'ULTRA_CALL', 'GANGNAM', 7)).toBe(20_533); // 88,000 × 7 / 30 = 20,533.33
    expect(contractPrice(v2, 'ULTRA_CALL', 'GANGNAM', 90)).toBe(297_000);
    expect(contractPrice(v1, 'OPEN_LIST', 'GANGNAM', 30)).toBe(0);
    expect(() => contractPrice(v1, 'ULTRA_CALL', 'JONGNO', 30)).toThrow(/no ULTRA_CALL price/);
  });

  it("takes OPEN_LIST's share of the items total rounded down, never below the floor", () => {
    expect(openListFee(v1, 23_500)).toBe(1_598); // 23,500 × 6.8% = 1,598
    expect(openListFee(v1, 12_345)).toBe(839); // 839.46
    expect(openListFee(v1, 3_000)).toBe(300); // 204 is below the floor
    expect(() => openListFee(v1, 10.5)).toThrow(/whole won/);
  });
});

describe('spreading a contract over its days', () => {
  it('charges floor(price × used / days) after each day, so the days add up to the price', () => {
    expect([1, 2, 3].map((day) => dailyCost(100, 3, day))).toEqual([33, 33, 34]);
    expect(chargedAfter(20_533, 7, 7)).toBe(20_533);
    for (const [price, days] of [
      [20_533, 7],
      [88_000, 30],
      [1, 90],
      [0, 5],
    ]) {
      const days_ = Array.from({ length: days }, (_, i) => dailyCost(price, days, i + 1));
      expect([price, days, days_.reduce((a, b) => a + b, 0)]).toEqual([price, days, price]);
      expect(days_.every((cost) => Number.isInteger(cost) && cost >= 0)).toBe(true);
    }
  });

  it('refunds what the unused days would have cost: charged plus refunded is the price', () => {
    expect(unusedRefund(100, 3, 1)).toBe(67); // 33 charged for the first day
    expect(unusedRefund(20_533, 7, 0)).toBe(20_533);
    expect(unusedRefund(20_533, 7, 7)).toBe(0);
    for (let used = 0; used <= 7; used++)
      expect(chargedAfter(20_533, 7, used) + unusedRefund(20_533, 7, used)).toBe(20_533);
    expect(() => unusedRefund(100, 3, 4)).toThrow(/bad contract/);
  });
});

describe('a new price table', () => {
  const now = new Date('2026-12-05T00:00:00Z');
  const table: NewPriceTable = {
    effectiveFrom: new Date('2026-12-05T00:01:00Z'),
    ultraCallPer30Days: { GANGNAM: 99_000, MAPO: 77_000 },
    openList: { basisPoints: 700, floorWon: 0 },
  };
  const areas = ['GANGNAM', 'MAPO'];

  it('applies from a moment still to come, and prices every area in whole won', () => {
    expect(validatePriceTable(table, areas, now)).toBe(table);
    const refusals: [Partial<NewPriceTable>, string][] = [
      [{ effectiveFrom: now }, 'later than now'],
      [{ ultraCallPer30Days: { GANGNAM: 99_000 } }, 'must price MAPO'],
      [{ ultraCallPer30Days: { GANGNAM: 99_000, MAPO: 0 } }, 'above 0'],
      [{ ultraCallPer30Days: { GANGNAM: 99_000.5, MAPO: 1 } }, 'whole won'],
      [{ ultraCallPer30Days: { GANGNAM: 1, MAPO: 1, BUSAN: 1 } }, 'no such area: BUSAN'],
      [{ openList: { basisPoints: 10_001, floorWon: 0 } }, 'from 0 to 10000'],
      [{ openList: { basisPoints: 700, floorWon: -1 } }, 'openListFloorWon'],
    ];
    for (const [change, message] of refusals)
      expect(() => validatePriceTable({ ...table, ...change }, areas, now)).toThrow(message);
  });
});
