import { z } from 'zod';
import type {
  AdvisorNotice,
  OutboxDestination,
  OutboxDraft,
  OutboxItem,
  OutboxPayload,
  OutboxStatus,
} from '../../core/ports.js';
import { epochMs, flag } from './postgres-rows.js';
import { pgJson } from './postgres-pool.js';

const destination = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('client') }),
  z.object({ kind: z.literal('advisorSms'), to: z.string() }),
  z.object({ kind: z.literal('desk') }),
  z.object({ kind: z.literal('digest'), via: z.enum(['sms', 'slack']), to: z.string() }),
]) satisfies z.ZodType<OutboxDestination>;

const by = z.string();
const notice = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('flagged'), reasons: z.array(flag) }),
  z.object({ kind: z.literal('reminder') }),
  z.object({
    kind: z.literal('clientMessage'),
    text: z.string(),
    media: z.array(z.object({ url: z.string(), contentType: z.string() })).optional(),
  }),
  z.object({ kind: z.literal('optedOut') }),
  z.object({ kind: z.literal('tookOver'), by }),
  z.object({ kind: z.literal('released'), by }),
  z.object({ kind: z.literal('closed'), by }),
  z.object({
    kind: z.literal('deliveryProblem'),
    problem: z.enum(['failed', 'unknown', 'optedOut']),
    text: z.string(),
    detail: z.string(),
  }),
  z.object({ kind: z.literal('noticeLost'), via: z.enum(['sms', 'desk']), text: z.string() }),
]) satisfies z.ZodType<AdvisorNotice>;

const payload = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('text'),
    text: z.string(),
    author: z.enum(['bot', 'advisor']),
    origin: z.object({ channel: z.string(), ts: z.string() }).optional(),
  }),
  z.object({ type: z.literal('notice'), notice }),
]) satisfies z.ZodType<OutboxPayload>;

const status = z.enum(['pending', 'sending', 'sent', 'failed', 'unknown']) satisfies z.ZodType<OutboxStatus>;

const outboxRow = z.object({
  id: z.number().int(),
  // NULL for PJ's daily digest, about no conversation: 0 in OutboxItem.
  conversation_id: z
    .number()
    .int()
    .nullable()
    .transform((id) => id ?? 0),
  destination,
  payload,
  status,
  attempts: z.number().int(),
  provider_id: z.string().nullable(),
  delivery_status: z.string().nullable(),
  error: z.string().nullable(),
  created_at: epochMs,
  not_before: epochMs.nullable(),
});

/** Columns to select (or return) for `parseOutboxRow`. */
export const outboxColumns =
  'id, conversation_id, destination, payload, status, attempts, provider_id, delivery_status, error, created_at, not_before';

export function parseOutboxRow(row: unknown): OutboxItem {
  const r = outboxRow.parse(row);
  return {
    id: r.id,
    conversationId: r.conversation_id,
    destination: r.destination,
    payload: r.payload,
    status: r.status,
    attempts: r.attempts,
    providerId: r.provider_id,
    deliveryStatus: r.delivery_status,
    error: r.error,
    createdAt: r.created_at,
    ...(r.not_before !== null && { notBefore: r.not_before }),
  };
}

/** Rows parsed and in id order (RETURNING promises no order). */
export function parseOutboxRows(rows: unknown[]): OutboxItem[] {
  return rows.map(parseOutboxRow).sort((a, b) => a.id - b.id);
}

/** One key per recipient of a conversation: items with the same key are delivered in order. */
function destinationKey(target: OutboxDestination): string {
  switch (target.kind) {
    case 'client':
      return 'client';
    case 'advisorSms':
      return `advisorSms:${target.to}`;
    case 'desk':
      return 'desk';
    case 'digest':
      return `digest:${target.via}:${target.to}`;
  }
}

/** [destination, destination_key, payload] of `draft`, checked on the way in as on the way out. */
export function draftColumns(draft: OutboxDraft): [string, string, string] {
  // A draft that could not be read back would fail every claim, so it fails its own transaction.
  destination.parse(draft.destination);
  payload.parse(draft.payload);
  return [pgJson(draft.destination), destinationKey(draft.destination), pgJson(draft.payload)];
}
