import {
  isRunning,
  mostAtOnce,
  newPlacementPeriod,
  overlaps,
  placementIn,
  slotRefusal,
  spendRefusal,
  statusAt,
  usedDays,
} from './placement';

const now = new Date('2026-11-24T12:00:00Z');
const day = 24 * 3600 * 1000;
interface Campaign {
  id: string;
  area: string;
  product: 'ULTRA_CALL' | 'OPEN_LIST';
  status: 'SCHEDULED' | 'ACTIVE' | 'ENDED';
  startsAt: Date;
  endsAt: Date;
}
const campaign = (over: Partial<Campaign> = {}): Campaign => ({
  id: 'c',
  area: 'GANGNAM',
  product: 'OPEN_LIST',
  status: 'ACTIVE',
  startsAt: new Date(now.getTime() - day),
  endsAt: new Date(now.getTime() + day),
  ...over,
});

describe('ad placement', () => {
  it('runs only inside its period and until ended, a scheduled one from its start', () => {
    expect(isRunning(campaign(), now)).toBe(true);
    expect(isRunning(campaign({ status: 'SCHEDULED' }), now)).toBe(true);
    expect(isRunning(campaign({ status: 'ENDED' }), now)).toBe(false);
    expect(isRunning(campaign({ endsAt: now }), now)).toBe(false);
    expect(isRunning(campaign({ startsAt: new Date(now.getTime() + 1) }), now)).toBe(false);
  });

  it('places a shop by its best running campaign in the area', () => {
    const open = campaign({ id: 'open' });
    const ultra = campaign({ id: 'ultra', product: 'ULTRA_CALL' });
    const elsewhere = campaign({ id: 'mapo', area: 'MAPO', product: 'ULTRA_CALL' });
    expect(placementIn([open, ultra, elsewhere], 'GANGNAM', now)?.id).toBe('ultra');
    expect(placementIn([open], 'MAPO', now)).toBeNull();
  });
});

describe('a placement contract', () => {
  it('shows SCHEDULED before its start, ACTIVE inside, ENDED after or once ended', () => {
    const later = campaign({
      status: 'SCHEDULED',
      startsAt: new Date(now.getTime() + day),
      endsAt: new Date(now.getTime() + 2 * day),
    });
    expect(statusAt(later, now)).toBe('SCHEDULED');
    expect(statusAt(later, new Date(now.getTime() + day))).toBe('ACTIVE');
    expect(statusAt(later, new Date(now.getTime() + 2 * day))).toBe('ENDED');
    expect(statusAt(campaign({ status: 'ENDED' }), now)).toBe('ENDED');
  });

  it('starts now, or is scheduled up to 90 days ahead, never in the past', () => {
    expect(newPlacementPeriod(3, now)).toEqual({
      startsAt: now,
      endsAt: new Date(now.getTime() + 3 * day),
      status: 'ACTIVE',
    });
    const start = new Date(now.getTime() + 5 * day);
    expect(newPlacementPeriod(1, now, start)).toEqual({
      startsAt: start,
      endsAt: new Date(start.getTime() + day),
      status: 'SCHEDULED',
    });
    // A clock a moment apart starts now.
    expect(newPlacementPeriod(1, now, new Date(now.getTime() - 1000)).startsAt).toEqual(now);
    expect(() => newPlacementPeriod(1, now, new Date(now.getTime() - 3600_000))).toThrow('past');
    expect(() => newPlacementPeriod(1, now, new Date(now.getTime() + 91 * day))).toThrow('within 90 days');
    expect(() => newPlacementPeriod(0, now)).toThrow('days must be from 1 to 90');
  });

  it('counts every day begun as used, none before the start', () => {
    const started = { startsAt: now };
    expect(usedDays(started, 10, now)).toBe(0);
    expect(usedDays(started, 10, new Date(now.getTime() + 1))).toBe(1);
    expect(usedDays(started, 10, new Date(now.getTime() + day))).toBe(1);
    expect(usedDays(started, 10, new Date(now.getTime() + day + 1))).toBe(2);
    expect(usedDays(started, 10, new Date(now.getTime() + 30 * day))).toBe(10);
    expect(usedDays(started, 10, new Date(now.getTime() - day))).toBe(0);
  });

  it('one shop, one placement per area at a time', () => {
    const a = { startsAt: now, endsAt: new Date(now.getTime() + day) };
    expect(overlaps(a, { startsAt: new Date(now.getTime() + day), endsAt: new Date(now.getTime() + 2 * day) })).toBe(
      false,
    );
    expect(
      overlaps(a, { startsAt: new Date(now.getTime() + day - 1), endsAt: new Date(now.getTime() + 2 * day) }),
    ).toBe(true);
  });

  it('a wallet pays for what fits, and nothing new while below zero', () => {
    expect(spendRefusal(1000, 1000)).toBeNull();
    expect(spendRefusal(0, 0)).toBeNull();
    expect(spendRefusal(999, 1000)?.extensions).toMatchObject({
      code: 'INSUFFICIENT_BALANCE',
      balance: 999,
      price: 1000,
    });
    expect(spendRefusal(-1, 0)?.extensions).toMatchObject({ code: 'INSUFFICIENT_BALANCE' });
    expect(spendRefusal(-1, 0)?.message).toMatch(/below zero/);
  });
});

describe('ULTRA_CALL slots', () => {
  const at = (startDay: number, endDay: number) => ({
    startsAt: new Date(now.getTime() + startDay * day),
    endsAt: new Date(now.getTime() + endDay * day),
  });

  it('counts the most periods running at one instant of the asked period', () => {
    expect(mostAtOnce([at(0, 2), at(2, 4)], at(0, 4))).toBe(1); // one ends as the next starts
    expect(mostAtOnce([at(0, 2), at(1, 3)], at(0, 4))).toBe(2);
    expect(mostAtOnce([at(0, 2), at(1, 3)], at(2, 4))).toBe(1);
    expect(mostAtOnce([at(0, 1), at(5, 6)], at(2, 4))).toBe(0);
  });

  it('refuses a placement that would need one more slot than there are', () => {
    const where = { area: 'GANGNAM', category: 'CHICKEN' };
    expect(slotRefusal([at(0, 2)], at(1, 3), 2, where)).toBeNull();
    const full = slotRefusal([at(0, 2), at(1, 3)], at(1, 2), 2, where);
    expect(full?.extensions).toMatchObject({ code: 'AD_SLOTS_FULL', slots: 2 });
    expect(full?.message).toMatch(/All 2 ULTRA_CALL slots for CHICKEN in GANGNAM/);
    expect(slotRefusal([at(0, 2), at(1, 3)], at(3, 5), 2, where)).toBeNull();
  });
});
