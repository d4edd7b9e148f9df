import { REGION_ZONES, zonesOfNumber } from './area-codes.js';

/** The local hours the bot may start a text in (QUIET_HOURS=8-21): from `start`:00 up to `end`:00. */
export interface QuietHours {
  start: number;
  end: number;
}

/** 8:00 to 21:00, the window QUIET_HOURS defaults to, and what "night there" means on PJ's surfaces when it is off. */
export const DEFAULT_QUIET_HOURS: QuietHours = { start: 8, end: 21 };

/** Where a client's local time comes from. */
export type ZoneSource = 'areaCode' | 'region' | 'advisor';

/** A client's time zones: one, or those an area code spans (the main one first, the one PJ is shown). */
export interface ClientZones {
  zones: readonly string[];
  source: ZoneSource;
}

/**
 * A client's time zones: from their number's area code, else from the state or province the
 * provider names (Twilio's FromState), else the advisor's own zone.
 */
export function clientZones(participant: string, region: string | undefined, advisorZone: string): ClientZones {
  const byNumber = zonesOfNumber(participant);
  if (byNumber !== null) return { zones: byNumber, source: 'areaCode' };
  const byRegion = region === undefined ? undefined : REGION_ZONES[region.trim().toUpperCase()];
  if (byRegion !== undefined) return { zones: byRegion, source: 'region' };
  return { zones: [advisorZone], source: 'advisor' };
}

interface WallClock {
  hour: number;
  minute: number;
  second: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone: building them is the slow part. */
function formatIn(zone: string): Intl.DateTimeFormat {
  let format = formats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      timeZoneName: 'short',
    });
    formats.set(zone, format);
  }
  return format;
}

function partsAt(zone: string, at: number): { clock: WallClock; zoneName: string } {
  // NOTE: formatToParts takes epoch ms as well as a Date; the core reads no clock of its own.
  const parts = formatIn(zone).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    clock: { hour: Number(part('hour')) % 24, minute: Number(part('minute')), second: Number(part('second')) },
    zoneName: part('timeZoneName'),
  };
}

/** Whether `zone` is a time zone this runtime knows (an IANA name like America/Chicago). */
export function isTimeZone(zone: string): boolean {
  try {
    formatIn(zone);
    return true;
  } catch {
    return false;
  }
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const isQuietAt = (clock: WallClock, hours: QuietHours): boolean => clock.hour < hours.start || clock.hour >= hours.end;

/**
 * When the window next opens in `zone`, if `at` is outside it there (else null): the first
 * moment the wall clock reads `start`:00. A day with a clock change is a day of 23 or 25 hours,
 * so the first guess is corrected by what the clock then reads.
 */
function opensInZone(zone: string, hours: QuietHours, at: number): number | null {
  const { clock } = partsAt(zone, at);
  if (!isQuietAt(clock, hours)) return null;
  const hoursAhead = clock.hour < hours.start ? hours.start - clock.hour : 24 - clock.hour + hours.start;
  let opens = at + hoursAhead * HOUR - clock.minute * MINUTE - clock.second * 1000 - (at % 1000);
  for (let i = 0; i < 3; i += 1) {
    const then = partsAt(zone, opens).clock;
    const off = ((then.hour - hours.start + 36) % 24) - 12;
    if (off === 0 && then.minute === 0) break;
    opens -= off * HOUR + then.minute * MINUTE;
  }
  return opens;
}

/**
 * When the bot may next start a text to a client in `zones`: null when it may now, else the
 * moment the window is open in every one of them (a split area code keeps both zones' nights).
 */
export function quietUntil(zones: readonly string[], hours: QuietHours, at: number): number | null {
  let until = at;
  // Each zone's opening may fall in another's night; a few rounds settle it (zones are hours apart).
  for (let round = 0; round < 4; round += 1) {
    const later = zones.map((zone) => opensInZone(zone, hours, until)).filter((t): t is number => t !== null);
    if (later.length === 0) return until === at ? null : until;
    until = Math.max(...later);
  }
  return until;
}

/** A time of day as PJ reads it, e.g. "11:42 PM CST". */
export function localTimeText(zone: string, at: number): string {
  const { clock, zoneName } = partsAt(zone, at);
  const hour12 = clock.hour % 12 === 0 ? 12 : clock.hour % 12;
  const suffix = clock.hour < 12 ? 'AM' : 'PM';
  return `${hour12}:${String(clock.minute).padStart(2, '0')} ${suffix}${zoneName === '' ? '' : ` ${zoneName}`}`;
}
