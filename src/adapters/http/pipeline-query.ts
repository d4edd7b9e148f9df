import { z } from 'zod';
import { addDays, type Calendar, type Day, parseDay } from '../../core/calendar.js';
import { CHANNEL_IDS } from '../../core/channels.js';
import type { Channel } from '../../core/conversation.js';
import type { PipelineQuery } from '../../core/ports.js';

/** A period of at most this many days: a year and a leap day. */
const MAX_DAYS = 366;
/** Without from and to: the last week, today included. */
const DEFAULT_DAYS = 7;

const day = z.string().transform((raw, ctx) => {
  const parsed = parseDay(raw);
  if (parsed === null) ctx.addIssue({ code: 'custom', message: 'must be a day like 2026-11-30' });
  return parsed ?? z.NEVER;
});

const PeriodQuery = z.object({
  from: day.optional(),
  to: day.optional(),
  channel: z.enum(CHANNEL_IDS).optional(),
});

/** A period of whole days in the advisor's time zone, and the store query for the conversations created in it. */
export interface Period {
  from: Day;
  to: Day;
  channel: Channel | null;
  /** Each day with its first instant, ascending. */
  days: Array<{ date: Day; start: number }>;
  query: PipelineQuery;
}

export type ParsedPeriod = { ok: true; period: Period } | { ok: false; message: string };

/**
 * `from`, `to` (days, both included) and `channel` from a query string; `to` defaults to today and
 * `from` to six days before `to`. Days are the advisor's (TZ).
 */
export function parsePeriod(raw: unknown, calendar: Calendar, now: number): ParsedPeriod {
  const parsed = PeriodQuery.safeParse(raw);
  if (!parsed.success) return { ok: false, message: z.prettifyError(parsed.error) };
  const to = parsed.data.to ?? calendar.dayOf(now);
  const from = parsed.data.from ?? addDays(to, 1 - DEFAULT_DAYS);
  const dates = calendar.daysBetween(from, to);
  if (dates.length === 0) return { ok: false, message: `from (${from}) is after to (${to})` };
  if (dates.length > MAX_DAYS)
    return { ok: false, message: `the period is ${dates.length} days; ask for at most ${MAX_DAYS}` };
  const days = dates.map((date) => ({ date, start: calendar.startOf(date) }));
  const channel = parsed.data.channel ?? null;
  const query: PipelineQuery = {
    createdFrom: calendar.startOf(from),
    createdBefore: calendar.startOf(addDays(to, 1)),
    ...(channel !== null && { channel }),
  };
  return { ok: true, period: { from, to, channel, days, query } };
}
