import { describe, expect, it } from 'vitest';
import { addDays, createCalendar, parseDay } from '../../src/core/calendar.js';

describe('calendar', () => {
  const la = createCalendar('America/Los_Angeles');

  it('gives the day and hour of an instant in the zone, across midnight UTC', () => {
    expect(la.dayOf(Date.UTC(2026, 0, 6, 7, 59))).toBe('2026-01-05');
    expect(la.dayOf(Date.UTC(2026, 0, 6, 8, 0))).toBe('2026-01-06');
    expect(la.hourOf(Date.UTC(2026, 0, 6, 8, 0))).toBe(0);
    expect(la.timeOf(Date.UTC(2026, 0, 6, 16, 5, 59))).toBe('2026-01-06 08:05');
  });

  it('starts each day at local midnight, on both sides of a daylight-saving change', () => {
    expect(la.startOf('2026-01-06')).toBe(Date.UTC(2026, 0, 6, 8));
    // 2026-03-08: clocks go forward at 02:00; the day has 23 hours.
    expect(la.startOf('2026-03-08')).toBe(Date.UTC(2026, 2, 8, 8));
    expect(la.startOf('2026-03-09')).toBe(Date.UTC(2026, 2, 9, 7));
    expect(la.startOf('2026-11-01')).toBe(Date.UTC(2026, 10, 1, 7));
    expect(la.startOf('2026-11-02')).toBe(Date.UTC(2026, 10, 2, 8));
    expect(createCalendar('UTC').startOf('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
  });

  it('reads only real days, and counts days across months and years', () => {
    expect(parseDay('2026-02-29')).toBeNull();
    expect(parseDay('2024-02-29')).toBe('2024-02-29');
    expect(parseDay('2026-1-5')).toBeNull();
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(la.daysBetween('2026-02-27', '2026-03-02')).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ]);
    expect(la.daysBetween('2026-01-02', '2026-01-01')).toEqual([]);
  });
});
