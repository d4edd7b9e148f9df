import { z } from 'zod';
import { addDays, type Calendar, parseDay } from '../../core/calendar.js';
import { CHANNEL_IDS } from '../../core/channels.js';
import type { ConversationRecord } from '../../core/conversation.js';
import type { ConversationFilter, ListCursor } from '../../core/ports.js';

const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

/** A time as the API writes one (updatedAt): UTC, to the millisecond at most. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** The cursor after `c` in newest-first order: opaque to clients, who pass nextCursor back as it is. */
function encodeCursor(c: ListCursor): string {
  return Buffer.from(`${c.updatedAt}.${c.id}`).toString('base64url');
}

/** A cursor this API gave, or null; only its own encoding is accepted, so no two strings mean one place. */
function decodeCursor(raw: string): ListCursor | null {
  const match = /^(0|[1-9]\d{0,14})\.([1-9]\d{0,14})$/.exec(Buffer.from(raw, 'base64url').toString('utf8'));
  if (match === null) return null;
  const cursor = { updatedAt: Number(match[1]), id: Number(match[2]) };
  return encodeCursor(cursor) === raw ? cursor : null;
}

const ListQuery = z.object({
  channel: z.enum(CHANNEL_IDS).optional(),
  participant: z.string().min(1).optional(),
  status: z.enum(['bot', 'waiting', 'human', 'closed', 'opted_out']).optional(),
  limit: z
    .string()
    .regex(/^[1-9]\d{0,2}$/, `must be a whole number from 1 to ${MAX_LIMIT}`)
    .transform(Number)
    .pipe(z.number().max(MAX_LIMIT, `must be at most ${MAX_LIMIT}`))
    .optional(),
  before: z
    .string()
    .transform((raw, ctx) => {
      const cursor = decodeCursor(raw);
      if (cursor === null)
        ctx.addIssue({ code: 'custom', message: 'is not a cursor from this API: pass nextCursor back as it is' });
      return cursor ?? z.NEVER;
    })
    .optional(),
  from: z
    .string()
    .refine((raw) => parseDay(raw) !== null, 'must be a day like 2026-11-30')
    .optional(),
  to: z
    .string()
    .refine((raw) => parseDay(raw) !== null, 'must be a day like 2026-11-30')
    .optional(),
  since: z
    .string()
    .regex(ISO_TIME, 'must be a UTC time like 2026-11-30T21:00:00.000Z')
    .transform((raw, ctx) => {
      const at = Date.parse(raw);
      if (Number.isNaN(at)) ctx.addIssue({ code: 'custom', message: 'is not a real date' });
      return at;
    })
    .optional(),
});

export type ListQuery =
  | { ok: true; filter: ConversationFilter; limit: number; before?: ListCursor }
  | { ok: false; fields: string[]; message: string };

/**
 * GET /conversations's query: the filters, and which page (limit, before) of what changed (since);
 * from and to (days, both included) select by creation day in `calendar`'s zone, as the pipeline counts.
 */
export function parseListQuery(query: unknown, calendar: Calendar): ListQuery {
  const parsed = ListQuery.safeParse(query);
  if (!parsed.success) {
    return {
      ok: false,
      fields: parsed.error.issues.map((i) => i.path.join('.')),
      message: z.prettifyError(parsed.error),
    };
  }
  const { channel, participant, status, limit, before, since, from, to } = parsed.data;
  const filter: ConversationFilter = {
    ...(channel !== undefined && { channel }),
    ...(participant !== undefined && { participant }),
    ...(status !== undefined && { status }),
    ...(since !== undefined && { updatedSince: since }),
    ...(from !== undefined && { createdFrom: calendar.startOf(from) }),
    ...(to !== undefined && { createdBefore: calendar.startOf(addDays(to, 1)) }),
  };
  return { ok: true, filter, limit: limit ?? DEFAULT_LIMIT, ...(before !== undefined && { before }) };
}

/** The cursor after the last of `shown`, when the store found more than the page holds; null at the end. */
export function nextCursor(shown: ConversationRecord[], foundMore: boolean): string | null {
  const last = shown.at(-1);
  return foundMore && last !== undefined ? encodeCursor({ updatedAt: Date.parse(last.updatedAt), id: last.id }) : null;
}
