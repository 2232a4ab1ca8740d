import { isOpenAt, parseOpeningHours } from './openingHours';

// 2026-11-27 is a Friday; Korea is UTC+9 with no daylight saving.
const kst = (iso: string) => new Date(`${iso}+09:00`);
const everyDay = (opens: string, closes: string) => Array.from({ length: 7 }, (_, day) => ({ day, opens, closes }));

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

describe('parseOpeningHours', () => {
  it('refuses malformed intervals', () => {
    expect(() => parseOpeningHours([{ day: 7, opens: '10:00', closes: '12:00' }])).toThrow();
    expect(() => parseOpeningHours([{ day: 1, opens: '24:00', closes: '12:00' }])).toThrow();
    expect(() => parseOpeningHours('x')).toThrow();
  });
});
