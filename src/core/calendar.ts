/** A day as PJ counts them: `YYYY-MM-DD` in the advisor's time zone (TZ). */
export type Day = string;

const DAY_MS = 24 * 60 * 60_000;
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil): no Date needed. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The date of a day number since 1970-01-01 (Hinnant's civil_from_days). */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const formatDay = ([y, m, d]: [number, number, number]): Day => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;

/** `raw` as a real calendar day, or null ("2026-02-30" is not one). */
export function parseDay(raw: string): Day | null {
  const match = DAY_PATTERN.exec(raw);
  if (match === null) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const day = formatDay(civilFromDays(daysFromCivil(y, m, d)));
  return day === raw ? day : null;
}

function dayNumber(day: Day): number {
  const match = DAY_PATTERN.exec(day);
  if (match === null) throw new Error(`not a day: ${day}`);
  return daysFromCivil(Number(match[1]), Number(match[2]), Number(match[3]));
}

/** `day` moved by `n` days (negative: back); the same in every time zone. */
export function addDays(day: Day, n: number): Day {
  return formatDay(civilFromDays(dayNumber(day) + n));
}

/** Days and hours in one time zone; pure (the zone's rules come with the runtime, like a lexicon). */
export interface Calendar {
  timeZone: string;
  /** The day an instant (epoch ms) falls on. */
  dayOf(at: number): Day;
  /** The hour (0-23) an instant falls in. */
  hourOf(at: number): number;
  /** An instant as the wall clock shows it, `YYYY-MM-DD HH:MM`. */
  timeOf(at: number): string;
  /** The first instant (epoch ms) of `day`. */
  startOf(day: Day): number;
  /** `day` moved by `n` days (negative: back). */
  addDays(day: Day, n: number): Day;
  /** Days from `from` to `to`, both included; empty when `to` is before `from`. */
  daysBetween(from: Day, to: Day): Day[];
}

export function createCalendar(timeZone: string): Calendar {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  /** The wall clock in the zone at `at`, as numbers. */
  function wall(at: number): { y: number; m: number; d: number; h: number; min: number; s: number } {
    const parts: Record<string, number> = {};
    for (const part of format.formatToParts(at)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
    return {
      y: parts.year ?? 1970,
      m: parts.month ?? 1,
      d: parts.day ?? 1,
      h: parts.hour ?? 0,
      min: parts.minute ?? 0,
      s: parts.second ?? 0,
    };
  }
  /** How far the zone's wall clock is ahead of UTC at `at`, in ms. */
  function offsetAt(at: number): number {
    const w = wall(at);
    const wallMs = daysFromCivil(w.y, w.m, w.d) * DAY_MS + ((w.h * 60 + w.min) * 60 + w.s) * 1000;
    return wallMs - (at - (((at % 1000) + 1000) % 1000));
  }
  return {
    timeZone,
    dayOf(at) {
      const w = wall(at);
      return formatDay([w.y, w.m, w.d]);
    },
    hourOf: (at) => wall(at).h,
    timeOf(at) {
      const w = wall(at);
      return `${formatDay([w.y, w.m, w.d])} ${pad(w.h, 2)}:${pad(w.min, 2)}`;
    },
    startOf(day) {
      const local = dayNumber(day) * DAY_MS;
      // The offset at local midnight read as UTC, corrected once for a change of offset in between (DST).
      const first = local - offsetAt(local);
      const second = local - offsetAt(first);
      return second;
    },
    addDays,
    daysBetween(from, to) {
      const start = dayNumber(from);
      const days: Day[] = [];
      for (let n = start; n <= dayNumber(to); n++) days.push(formatDay(civilFromDays(n)));
      return days;
    },
  };
}
