import { z } from 'zod';
import { CHANNEL_IDS } from '../../core/channels.js';
import { LANGUAGES } from '../../core/languages.js';
import type { Channel, ConversationRecord, FlagReason, Status } from '../../core/conversation.js';
import type { Side, Verdict } from '../../core/advise.js';
import type { Awaiting } from '../../core/reading.js';
import type { Deadlines, SavedConversation, SavedForUpdate } from '../../core/ports.js';

// The database is outside the type system: whatever a row holds (an older writer, a hand edit)
// is checked here before it reaches the core.

/** A TEXT column holding JSON, parsed and then validated by `schema`. */
export function jsonText<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

const channel = z.enum(CHANNEL_IDS) satisfies z.ZodType<Channel>;
const status = z.enum(['bot', 'waiting', 'human', 'closed', 'opted_out']) satisfies z.ZodType<Status>;
const awaiting = z.enum(['product', 'asker']) satisfies z.ZodType<Awaiting>;
const verdict = z.enum(['soc1', 'soc2', 'both']) satisfies z.ZodType<Verdict>;
export const flag = z.enum([
  'human',
  'cost',
  'unclear',
  'both',
  'conflict',
  'followup',
]) satisfies z.ZodType<FlagReason>;
export const epochMs = z.number().int();

const recordRow = z.object({
  id: z.number().int(),
  channel,
  participant: z.string(),
  conversation_key: z.string(),
  region: z.string().nullable(),
  status,
  awaiting: awaiting.nullable(),
  answers: jsonText(z.object({ product: z.string().nullable(), asker: z.string().nullable() })),
  verdict: verdict.nullable(),
  side: z.enum(['client', 'buyer']) satisfies z.ZodType<Side>,
  flags: jsonText(z.array(flag)),
  language: z.enum(LANGUAGES),
  created_at: epochMs,
  updated_at: epochMs,
});

/** Columns to select for `parseRecordRow`. */
export const recordColumns =
  'id, channel, participant, conversation_key, region, status, awaiting, answers, verdict, side, flags, language, created_at, updated_at';

const savedRow = z.object({
  id: z.number().int(),
  machine_version: z.number().int(),
  snapshot: jsonText(z.unknown()),
  version: z.number().int(),
});

/** Columns to select for `parseSavedRow`. */
export const savedColumns = 'id, machine_version, snapshot, version';

const processedRow = z.object({
  conversation_id: z.number().int(),
  replies: jsonText(z.array(z.string())),
});

const isoTime = (ms: number): string => new Date(ms).toISOString();

export function parseRecordRow(row: unknown): ConversationRecord {
  const r = recordRow.parse(row);
  return {
    id: r.id,
    channel: r.channel,
    participant: r.participant,
    conversationKey: r.conversation_key,
    ...(r.region !== null && { region: r.region }),
    status: r.status,
    awaiting: r.awaiting,
    answers: r.answers,
    verdict: r.verdict,
    side: r.side,
    flags: r.flags,
    language: r.language,
    createdAt: isoTime(r.created_at),
    updatedAt: isoTime(r.updated_at),
  };
}

/** What z.number().int() accepts. */
const isInt = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value);

/** `savedRow` checked by hand, for the row a receive reads on every text; null for anything it would not pass. */
function usualSavedRow(row: unknown): { saved: SavedConversation; version: number } | null {
  if (typeof row !== 'object' || row === null) return null;
  const { id, machine_version: machineVersion, snapshot, version } = row as Record<string, unknown>;
  if (!isInt(id) || !isInt(machineVersion) || !isInt(version) || typeof snapshot !== 'string') return null;
  try {
    return { saved: { id, machineVersion, snapshot: JSON.parse(snapshot) as unknown }, version };
  } catch {
    return null;
  }
}

/** The saved conversation plus the row version the update must match. */
export function parseSavedRow(row: unknown): { saved: SavedConversation; version: number } {
  // The usual row takes the short way (the schema cost more than the query); the schema decides,
  // and says what is wrong, for any other.
  const usual = usualSavedRow(row);
  if (usual !== null) return usual;
  const r = savedRow.parse(row);
  return {
    saved: {
      id: r.id,
      machineVersion: r.machine_version,
      snapshot: r.snapshot,
    },
    version: r.version,
  };
}

const deadlinesRow = z.object({ remind_at: epochMs.nullable(), idle_at: epochMs.nullable() });

/** Columns to select for `parseForUpdateRow`. */
export const forUpdateColumns = `${recordColumns}, machine_version, snapshot, version, remind_at, idle_at`;

/** What `update` hands its decide, plus the row version the save must match. */
export function parseForUpdateRow(row: unknown): { saved: SavedForUpdate; version: number } {
  const { saved, version } = parseSavedRow(row);
  const d = deadlinesRow.parse(row);
  const deadlines: Deadlines = { remindAt: d.remind_at, idleAt: d.idle_at };
  return { saved: { ...saved, record: parseRecordRow(row), deadlines }, version };
}

export function parseProcessedRow(row: unknown): { conversationId: number; replies: string[] } {
  const r = processedRow.parse(row);
  return { conversationId: r.conversation_id, replies: r.replies };
}

/**
 * Selects `columns` of the latest conversation for (channel, conversation_key) that is not closed:
 * receive() and findOpen() must agree on which conversation a message joins.
 */
export function openConversationSql(columns: string): string {
  return `SELECT ${columns} FROM conversations
     WHERE channel = ? AND conversation_key = ? AND status != 'closed' ORDER BY id DESC LIMIT 1`;
}
