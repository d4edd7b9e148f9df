import { describe, expect, it } from 'vitest';
import { AREA_CODE_ZONES, REGION_ZONES, zonesOfNumber } from '../../src/core/area-codes.js';
import { clientZones, DEFAULT_QUIET_HOURS, isTimeZone, localTimeText, quietUntil } from '../../src/core/client-time.js';

const utc = (iso: string): number => Date.parse(iso);
const LA = ['America/Los_Angeles'];
const hours = DEFAULT_QUIET_HOURS;

describe('the area code table', () => {
  it('names only time zones this runtime knows', () => {
    const zones = new Set([...AREA_CODE_ZONES.values(), ...Object.values(REGION_ZONES)].flat());
    for (const zone of zones) expect(isTimeZone(zone), zone).toBe(true);
  });

  it('covers the US and Canada broadly', () => {
    expect(AREA_CODE_ZONES.size).toBeGreaterThan(380);
    for (const code of AREA_CODE_ZONES.keys()) expect(code, String(code)).toBeGreaterThanOrEqual(200);
  });

  it.each([
    ['+18584618054', 'America/Los_Angeles'], // San Diego
    ['+12125550123', 'America/New_York'], // Manhattan
    ['+13125550123', 'America/Chicago'], // Chicago
    ['+13035550123', 'America/Denver'], // Denver
    ['+16025550123', 'America/Phoenix'], // Phoenix: no daylight saving
    ['+19155550123', 'America/Denver'], // El Paso, Texas
    ['+13135550123', 'America/Detroit'],
    ['+19075550123', 'America/Anchorage'],
    ['+18085550123', 'Pacific/Honolulu'],
    ['+17875550123', 'America/Puerto_Rico'],
    ['+14165550123', 'America/Toronto'],
    ['+15145550123', 'America/Toronto'], // Montreal
    ['+16045550123', 'America/Vancouver'],
    ['+14035550123', 'America/Edmonton'], // Calgary
    ['+13065550123', 'America/Regina'],
    ['+19025550123', 'America/Halifax'],
    ['+17095550123', 'America/St_Johns'],
  ])('places %s in %s', (number, zone) => {
    expect(zonesOfNumber(number)?.[0]).toBe(zone);
  });

  it('lists both zones of an area code that spans two, the main one first', () => {
    expect(zonesOfNumber('+18505550123')).toEqual(['America/Chicago', 'America/New_York']);
    expect(zonesOfNumber('+12085550123')).toEqual(['America/Boise', 'America/Los_Angeles']);
  });

  it('knows every US state, DC, and every Canadian province and territory', () => {
    const us =
      'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY';
    const canada = 'BC AB SK MB ON QC NB NS PE NL YT NT NU';
    for (const region of `${us} ${canada}`.split(' ')) expect(REGION_ZONES[region], region).toBeDefined();
  });
});

describe("a client's time zone", () => {
  it('comes from the area code, then from FromState, then the advisor', () => {
    expect(clientZones('+12125550123', 'CA', 'America/Los_Angeles')).toEqual({
      zones: ['America/New_York'],
      source: 'areaCode',
    });
    // 555 is no area code: Twilio's FromState decides.
    expect(clientZones('+15555550100', 'tx', 'America/Los_Angeles')).toEqual({
      zones: ['America/Chicago', 'America/Denver'],
      source: 'region',
    });
    expect(clientZones('+15555550100', undefined, 'America/Los_Angeles')).toEqual({ zones: LA, source: 'advisor' });
    expect(clientZones('+447700900123', 'London', 'America/Los_Angeles')).toEqual({ zones: LA, source: 'advisor' });
  });
});

describe('quiet hours', () => {
  it('are open from 8:00 up to 21:00 local time', () => {
    // January: Los Angeles is UTC-8.
    expect(quietUntil(LA, hours, utc('2026-01-15T16:00:00Z'))).toBeNull(); // 8:00
    expect(quietUntil(LA, hours, utc('2026-01-16T04:59:59Z'))).toBeNull(); // 20:59:59
    expect(quietUntil(LA, hours, utc('2026-01-16T05:00:00Z'))).toBe(utc('2026-01-16T16:00:00Z')); // 21:00
    expect(quietUntil(LA, hours, utc('2026-01-16T15:59:59Z'))).toBe(utc('2026-01-16T16:00:00Z')); // 7:59:59
    expect(quietUntil(LA, hours, utc('2026-01-16T07:30:00.250Z'))).toBe(utc('2026-01-16T16:00:00Z')); // 23:30
  });

  it('open at 8:00 on the wall clock across a change to and from daylight saving time', () => {
    // 2026-03-08: at 2:00 Los Angeles goes from UTC-8 to UTC-7, so 8:00 is 15:00 UTC.
    expect(quietUntil(LA, hours, utc('2026-03-08T07:30:00Z'))).toBe(utc('2026-03-08T15:00:00Z'));
    // 2026-11-01: back to UTC-8 at 2:00, so 8:00 is 16:00 UTC.
    expect(quietUntil(LA, hours, utc('2026-11-01T06:30:00Z'))).toBe(utc('2026-11-01T16:00:00Z'));
  });

  it('hold a text to a split area code until both zones are awake, and stop it when either is asleep', () => {
    const panhandle = ['America/Chicago', 'America/New_York'];
    // 20:30 in Pensacola is 21:30 in Tallahassee: quiet, until 8:00 in Pensacola.
    expect(quietUntil(panhandle, hours, utc('2026-01-16T02:30:00Z'))).toBe(utc('2026-01-16T14:00:00Z'));
    // 7:30 in Tallahassee is 6:30 in Pensacola: still quiet until 8:00 Pensacola.
    expect(quietUntil(panhandle, hours, utc('2026-01-16T12:30:00Z'))).toBe(utc('2026-01-16T14:00:00Z'));
    expect(quietUntil(panhandle, hours, utc('2026-01-16T14:00:00Z'))).toBeNull();
  });

  it('follow another window, and zones with half hours and no daylight saving', () => {
    expect(quietUntil(['America/St_Johns'], { start: 9, end: 20 }, utc('2026-01-16T12:00:00Z'))).toBe(
      utc('2026-01-16T12:30:00Z'),
    );
    expect(quietUntil(['America/Phoenix'], hours, utc('2026-07-01T04:00:00Z'))).toBe(utc('2026-07-01T15:00:00Z'));
  });
});

describe('local time for PJ', () => {
  it('reads as a clock, with the zone abbreviation', () => {
    expect(localTimeText('America/Chicago', utc('2026-01-16T05:42:00Z'))).toBe('11:42 PM CST');
    expect(localTimeText('America/Los_Angeles', utc('2026-07-01T19:05:00Z'))).toBe('12:05 PM PDT');
    expect(localTimeText('America/New_York', utc('2026-07-01T04:00:00Z'))).toBe('12:00 AM EDT');
  });
});
