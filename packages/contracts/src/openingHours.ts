import { TIME_ZONE } from './vocabulary';

/*
 * What a shop's opening hours mean: shops publishes them in its events and
 * lists shops as open by them; orders refuses an order to a shop closed by
 * them. Both apply this rule, so it is shops' published word, here.
 */

export interface OpeningInterval {
  day: number;
  opens: string;
  closes: string;
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

function minutes(hhmm: string): number {
  const match = TIME.exec(hhmm);
  if (!match) throw new Error(`not a HH:MM time: ${hhmm}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

// Built once: constructing a DateTimeFormat per call showed in placeOrder's profile.
const CLOCK = new Intl.DateTimeFormat('en-US', {
  timeZone: TIME_ZONE,
  weekday: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

// The last minute asked about: the clock's reading changes once a minute (the platform's zone is
// whole minutes off UTC), and formatToParts per order was 3% of the orders subgraph's CPU (docs/performance.md, P16).
let last = { epochMinute: NaN, time: { day: 0, minute: 0 } };

/** Day of week (0 = Sunday) and minutes since midnight, on the platform's clock. */
export function localTime(at: Date): { readonly day: number; readonly minute: number } {
  const epochMinute = Math.floor(at.getTime() / 60_000);
  if (epochMinute === last.epochMinute) return last.time;
  const parts = CLOCK.formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
  last = { epochMinute, time: Object.freeze({ day, minute: Number(get('hour')) * 60 + Number(get('minute')) }) };
  return last.time;
}

/**
 * Whether a shop takes orders at `at`: not paused by its owner, and inside an
 * interval. An interval whose closing time is not after its opening time runs
 * past midnight into the next day (a 17:00–02:00 pub is open at 01:00 Saturday
 * because of Friday's interval).
 */
export function isOpenAt(hours: readonly OpeningInterval[], pausedByOwner: boolean, at: Date): boolean {
  if (pausedByOwner) return false;
  const now = localTime(at);
  return hours.some((interval) => {
    const opens = minutes(interval.opens);
    const closes = minutes(interval.closes);
    if (closes > opens) return interval.day === now.day && now.minute >= opens && now.minute < closes;
    const yesterday = (now.day + 6) % 7;
    return (interval.day === now.day && now.minute >= opens) || (interval.day === yesterday && now.minute < closes);
  });
}

const WEEK_MINUTES = 7 * 24 * 60;

/**
 * The first moment after `at` when isOpenAt may answer differently: the next
 * opening or closing time of an interval (an extra moment where one interval
 * ends as the next begins). Null while the owner has paused the shop or it
 * has no hours: then only the owner's next change can open it. The platform's
 * clock has no daylight saving, so a week is always the same minutes.
 */
export function nextOpeningChange(hours: readonly OpeningInterval[], pausedByOwner: boolean, at: Date): Date | null {
  if (pausedByOwner || hours.length === 0) return null;
  const now = localTime(at);
  const nowInWeek = now.day * 1440 + now.minute;
  let soonest = Infinity;
  for (const interval of hours) {
    const [opensAt, closesAt] = [minutes(interval.opens), minutes(interval.closes)];
    const opens = interval.day * 1440 + opensAt;
    // A closing time not after the opening time is the next day's (Saturday's, for Saturday's interval: next Sunday's).
    const closes = (interval.day + (closesAt <= opensAt ? 1 : 0)) * 1440 + closesAt;
    for (const boundary of [opens, closes]) {
      const ahead = (boundary - nowInWeek + WEEK_MINUTES) % WEEK_MINUTES || WEEK_MINUTES;
      soonest = Math.min(soonest, ahead);
    }
  }
  const startOfMinute = Math.floor(at.getTime() / 60_000) * 60_000;
  return new Date(startOfMinute + soonest * 60_000);
}

/** Parses stored opening hours, dropping nothing silently: a malformed entry is an error. */
export function parseOpeningHours(value: unknown): OpeningInterval[] {
  if (!Array.isArray(value)) throw new Error('opening hours must be a list');
  return value.map((entry) => {
    const { day, opens, closes } = entry as OpeningInterval;
    if (!Number.isInteger(day) || day < 0 || day > 6 || !TIME.test(opens) || !TIME.test(closes)) {
      throw new Error(`malformed opening interval: ${JSON.stringify(entry)}`);
    }
    return { day, opens, closes };
  });
}
