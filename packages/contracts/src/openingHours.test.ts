import { isOpenAt, localTime, nextOpeningChange, parseOpeningHours } from './openingHours';

// 2026-11-27 is a Friday; Korea is UTC+9 with no daylight saving.
const kst = (iso: string) => new Date(`${iso}+09:00`);
const everyDay = (opens: string, closes: string) => Array.from({ length: 7 }, (_, day) => ({ day, opens, closes }));

describe('localTime', () => {
  it("reads the platform's clock for each minute asked, in any order, across midnight", () => {
    const readings = [
      '2026-11-27T23:59:05',
      '2026-11-27T23:59:59',
      '2026-11-28T00:00:00',
      '2026-11-27T23:59:30',
      '2026-11-27T12:34:56',
    ].map((at) => localTime(kst(at)));
    expect(readings).toEqual([
      { day: 5, minute: 1439 },
      { day: 5, minute: 1439 },
      { day: 6, minute: 0 },
      { day: 5, minute: 1439 },
      { day: 5, minute: 754 },
    ]);
  });
});

describe('isOpenAt', () => {
  it('is open inside a same-day interval and closed outside it', () => {
    const hours = everyDay('10:00', '22:00');
    expect(isOpenAt(hours, false, kst('2026-11-27T10:00:00'))).toBe(true);
    expect(isOpenAt(hours, false, kst('2026-11-27T21:59:00'))).toBe(true);
    expect(isOpenAt(hours, false, kst('2026-11-27T22:00:00'))).toBe(false);
    expect(isOpenAt(hours, false, kst('2026-11-27T09:59:00'))).toBe(false);
  });

  it('runs an interval past midnight into the next day', () => {
    const fridayNight = [{ day: 5, opens: '17:00', closes: '02:00' }];
    expect(isOpenAt(fridayNight, false, kst('2026-11-28T01:30:00'))).toBe(true); // Saturday 01:30
    expect(isOpenAt(fridayNight, false, kst('2026-11-28T02:00:00'))).toBe(false);
    expect(isOpenAt(fridayNight, false, kst('2026-11-27T01:30:00'))).toBe(false); // Friday 01:30 belongs to Thursday
  });

  it('treats 00:00-00:00 as open all day', () => {
    expect(isOpenAt(everyDay('00:00', '00:00'), false, kst('2026-11-27T03:00:00'))).toBe(true);
  });

  it('is closed while the owner has paused the shop', () => {
    expect(isOpenAt(everyDay('00:00', '00:00'), true, kst('2026-11-27T12:00:00'))).toBe(false);
  });
});

describe('nextOpeningChange', () => {
  it('is the next opening or closing time, never the present minute', () => {
    const hours = everyDay('10:00', '22:00');
    expect(nextOpeningChange(hours, false, kst('2026-11-27T09:30:15'))).toEqual(kst('2026-11-27T10:00:00'));
    expect(nextOpeningChange(hours, false, kst('2026-11-27T10:00:00'))).toEqual(kst('2026-11-27T22:00:00'));
    expect(nextOpeningChange(hours, false, kst('2026-11-27T23:00:00'))).toEqual(kst('2026-11-28T10:00:00'));
  });

  it('closes an interval past midnight on the next day, and wraps from Saturday to Sunday', () => {
    const fridayNight = [{ day: 5, opens: '17:00', closes: '02:00' }];
    expect(nextOpeningChange(fridayNight, false, kst('2026-11-27T18:00:00'))).toEqual(kst('2026-11-28T02:00:00'));
    expect(nextOpeningChange(fridayNight, false, kst('2026-11-28T03:00:00'))).toEqual(kst('2026-12-04T17:00:00'));
    const saturdayNight = [{ day: 6, opens: '20:00', closes: '01:00' }];
    expect(nextOpeningChange(saturdayNight, false, kst('2026-11-28T21:00:00'))).toEqual(kst('2026-11-29T01:00:00'));
  });

  it('agrees with isOpenAt: the state holds until the change and differs at it', () => {
    const hours = [
      { day: 1, opens: '11:30', closes: '14:00' },
      { day: 5, opens: '17:00', closes: '02:00' },
      { day: 6, opens: '09:00', closes: '21:00' },
    ];
    for (let at = kst('2026-11-23T00:00:00').getTime(); at < kst('2026-11-30T00:00:00').getTime(); at += 37 * 60_000) {
      const now = new Date(at);
      const change = nextOpeningChange(hours, false, now)!;
      expect(isOpenAt(hours, false, new Date(change.getTime() - 60_000))).toBe(isOpenAt(hours, false, now));
      expect(isOpenAt(hours, false, change)).not.toBe(isOpenAt(hours, false, now));
    }
  });

  it('has no next change while the owner has paused the shop or it has no hours', () => {
    expect(nextOpeningChange(everyDay('10:00', '22:00'), true, kst('2026-11-27T12:00:00'))).toBeNull();
    expect(nextOpeningChange([], false, kst('2026-11-27T12:00:00'))).toBeNull();
  });
});

describe('parseOpeningHours', () => {
  it('refuses malformed intervals', () => {
    expect(() => parseOpeningHours([{ day: 7, opens: '10:00', closes: '12:00' }])).toThrow();
    expect(() => parseOpeningHours([{ day: 1, opens: '24:00', closes: '12:00' }])).toThrow();
    expect(() => parseOpeningHours('x')).toThrow();
  });
});
