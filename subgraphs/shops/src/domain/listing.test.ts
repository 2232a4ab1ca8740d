import { adRankIn, listingRows, nextKeyChange, type ListingSource } from './listing';

const now = new Date('2026-11-27T12:00:00+09:00'); // a Friday noon in Seoul
const day = 24 * 3600 * 1000;
const placement = (area: string, product: 'ULTRA_CALL' | 'OPEN_LIST', startOffset = -day, endOffset = day) => ({
  campaignId: `${area}-${product}`,
  area,
  product,
  startsAt: new Date(now.getTime() + startOffset).toISOString(),
  endsAt: new Date(now.getTime() + endOffset).toISOString(),
});
const shop = (over: Partial<ListingSource> = {}): ListingSource => ({
  shopId: 's1',
  category: 'PIZZA',
  deliveryAreas: ['GANGNAM', 'MAPO'],
  openingHours: Array.from({ length: 7 }, (_, d) => ({ day: d, opens: '10:00', closes: '22:00' })),
  isOpen: true,
  adPlacements: [],
  reviewCount: 4,
  ratingSum: 18,
  deliveryFee: 2000,
  minimumOrder: 12000,
  ...over,
});

describe('ranking keys', () => {
  it('ranks ULTRA_CALL before OPEN_LIST before none, per area, only while running', () => {
    const placements = [
      placement('GANGNAM', 'OPEN_LIST'),
      placement('GANGNAM', 'ULTRA_CALL'),
      placement('MAPO', 'ULTRA_CALL', day, 2 * day),
    ];
    expect(adRankIn(placements, 'GANGNAM', now)).toBe(0);
    expect(adRankIn([placement('GANGNAM', 'OPEN_LIST')], 'GANGNAM', now)).toBe(1);
    expect(adRankIn(placements, 'MAPO', now)).toBe(2); // not started yet
  });

  it('lists ULTRA_CALL slots in booking order, above OPEN_LIST', () => {
    const booked = (at: string) => [{ ...placement('GANGNAM', 'ULTRA_CALL'), bookedAt: at }];
    const first = adRankIn(booked('2026-12-01T09:00:00.000Z'), 'GANGNAM', now);
    const second = adRankIn(booked('2026-12-01T09:00:01.000Z'), 'GANGNAM', now);
    expect(first).toBeLessThan(second);
    expect(second).toBeLessThan(0);
    expect(adRankIn(booked('2089-01-01T00:00:00.000Z'), 'GANGNAM', now)).toBeLessThan(1);
    expect(adRankIn(booked('2089-01-01T00:00:00.000Z'), 'GANGNAM', now)).toBeGreaterThanOrEqual(-(2 ** 31));
  });

  it('writes one row per delivery area with open, rating and review keys that sort ascending', () => {
    const rows = listingRows(shop({ adPlacements: [placement('MAPO', 'OPEN_LIST')] }), now);
    expect(rows).toEqual([
      {
        area: 'GANGNAM',
        shopId: 's1',
        category: 'PIZZA',
        adRank: 2,
        closedRank: 0,
        ratingKey: -450,
        reviewKey: -4,
        deliveryFee: 2000,
        minimumOrder: 12000,
      },
      {
        area: 'MAPO',
        shopId: 's1',
        category: 'PIZZA',
        adRank: 1,
        closedRank: 0,
        ratingKey: -450,
        reviewKey: -4,
        deliveryFee: 2000,
        minimumOrder: 12000,
      },
    ]);
  });

  it('puts a paused or closed shop after open ones, and an unrated shop after rated ones', () => {
    expect(listingRows(shop({ isOpen: false }), now)[0].closedRank).toBe(1);
    expect(listingRows(shop(), new Date('2026-11-27T23:00:00+09:00'))[0].closedRank).toBe(1);
    const unrated = listingRows(shop({ reviewCount: 0, ratingSum: 0 }), now)[0];
    const oneStar = listingRows(shop({ reviewCount: 1, ratingSum: 1 }), now)[0];
    expect(unrated.ratingKey).toBeGreaterThan(oneStar.ratingKey);
  });
});

describe('nextKeyChange', () => {
  it('is the sooner of the next opening or closing time and the next start or end of an ad placement', () => {
    expect(nextKeyChange(shop(), now)).toEqual(new Date('2026-11-27T22:00:00+09:00'));
    const endsSoon = placement('MAPO', 'OPEN_LIST', -day, 3600 * 1000);
    expect(nextKeyChange(shop({ adPlacements: [placement('GANGNAM', 'ULTRA_CALL'), endsSoon] }), now)).toEqual(
      new Date(endsSoon.endsAt),
    );
    const startsSoon = placement('GANGNAM', 'ULTRA_CALL', 60_000, day);
    expect(nextKeyChange(shop({ adPlacements: [startsSoon] }), now)).toEqual(new Date(startsSoon.startsAt));
  });

  it('keys change at that moment and not before', () => {
    const s = shop({ adPlacements: [placement('MAPO', 'ULTRA_CALL', -day, 3 * 3600 * 1000)] });
    for (const at of [now, nextKeyChange(s, now)!]) {
      const change = nextKeyChange(s, at)!;
      expect(listingRows(s, new Date(change.getTime() - 1))).toEqual(listingRows(s, at));
      expect(listingRows(s, change)).not.toEqual(listingRows(s, at));
    }
  });

  it('is null for a paused shop without placements to come: only its owner can change it', () => {
    expect(nextKeyChange(shop({ isOpen: false }), now)).toBeNull();
    expect(
      nextKeyChange(shop({ isOpen: false, adPlacements: [placement('MAPO', 'OPEN_LIST', -2 * day, -day)] }), now),
    ).toBeNull();
  });
});
