import type { InboundMessage, TranscriptEntry } from '../../core/conversation.js';
import type { Decision } from '../../core/ports.js';
import { insertDrafts } from './postgres-outbox.js';
import { pgJson, pgText } from './postgres-pool.js';
import type { Queryable } from './postgres-pool.js';
import { z } from 'zod';

const idRow = z.object({ id: z.number().int() });

/** [status, awaiting, answers, verdict, side, flags, snapshot, machine_version] of a decision. */
function summaryParams(decision: Decision): unknown[] {
  const { summary } = decision;
  return [
    summary.status,
    summary.awaiting,
    pgJson(summary.answers),
    summary.verdict,
    summary.side,
    pgJson(summary.flags),
    pgJson(decision.snapshot),
    decision.machineVersion,
  ];
}

/** The decision's verdictBasis as a jsonb parameter; null for none (or none given). */
const basisOf = (decision: Decision): string | null => (decision.verdictBasis ? pgJson(decision.verdictBasis) : null);

/** A new conversation for `message`, named after its sender; returns its id. */
export async function createConversation(tx: Queryable, message: InboundMessage, decision: Decision): Promise<number> {
  const { rows } = await tx.query(
    `INSERT INTO conversations (status, awaiting, answers, verdict, side, flags, snapshot, machine_version,
       channel, conversation_key, participant, version, created_at, updated_at, flagged_at, verdict_basis)
     VALUES ($1, $2, $3::jsonb, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10, $11, 1, $12, $12,
       CASE WHEN $6::jsonb <> '[]'::jsonb THEN $12::bigint END, $13::jsonb)
     RETURNING id`,
    [
      ...summaryParams(decision),
      message.channel,
      message.conversationKey,
      message.participant,
      message.receivedAt,
      basisOf(decision),
    ],
  );
  const { id } = idRow.parse(rows[0]);
  await setLanguage(tx, id, decision);
  return id;
}

/** The client's language, apart from the summary columns: the store keeps what the machine says. */
async function setLanguage(tx: Queryable, id: number, decision: Decision): Promise<void> {
  await tx.query('UPDATE conversations SET language = $1 WHERE id = $2', [decision.summary.language ?? 'en', id]);
}

/** Saves over conversation `id`, which must still be at row `version` (the lock makes it so; this checks). */
export async function saveConversation(
  tx: Queryable,
  id: number,
  version: number,
  decision: Decision,
  now: number,
): Promise<void> {
  const { rowCount } = await tx.query(
    `UPDATE conversations SET status = $1, awaiting = $2, answers = $3::jsonb, verdict = $4, side = $5, flags = $6::jsonb,
       snapshot = $7::jsonb, machine_version = $8, version = version + 1, updated_at = $9,
       flagged_at = coalesce(flagged_at, CASE WHEN $6::jsonb <> '[]'::jsonb THEN $9::bigint END),
       verdict_basis = CASE WHEN $12 THEN $13::jsonb ELSE verdict_basis END
     WHERE id = $10 AND version = $11`,
    [...summaryParams(decision), now, id, version, decision.verdictBasis !== undefined, basisOf(decision)],
  );
  if (rowCount !== 1) throw new Error(`conversation ${id} changed concurrently`);
  await setLanguage(tx, id, decision);
}

type Line = Omit<TranscriptEntry, 'at' | 'media'> & { at: number; externalId?: string };

const idRows = z.array(idRow);

/** Appends transcript lines in order, in one statement; returns their ids, in the same order. */
export async function appendLines(tx: Queryable, conversationId: number, lines: readonly Line[]): Promise<number[]> {
  if (lines.length === 0) return [];
  const params: unknown[] = [conversationId];
  const values = lines.map((line) => {
    const at = params.length;
    params.push(line.at, line.direction, line.author, pgText(line.text), line.externalId ?? null);
    return `($1, $${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 5})`;
  });
  const { rows } = await tx.query(
    `INSERT INTO messages (conversation_id, at, direction, author, text, external_id) VALUES ${values.join(', ')}
     RETURNING id`,
    params,
  );
  // Identity values follow the VALUES order; RETURNING promises no order, so they are sorted.
  return idRows
    .parse(rows)
    .map((row) => row.id)
    .sort((a, b) => a - b);
}

/**
 * Keeps the sender's opt-out in step with the status just saved: the first opt-out is kept, an
 * open conversation lifts it (they opted back in), closing one says nothing about consent.
 */
async function keepOptOut(
  tx: Queryable,
  conversationId: number,
  status: Decision['summary']['status'],
  now: number,
): Promise<void> {
  switch (status) {
    case 'opted_out':
      await tx.query(
        `INSERT INTO opt_outs (channel, participant, opted_out_at)
         SELECT channel, participant, $2 FROM conversations WHERE id = $1
         ON CONFLICT (channel, participant) DO NOTHING`,
        [conversationId, now],
      );
      return;
    case 'bot':
    case 'waiting':
    case 'human':
      await tx.query(
        `DELETE FROM opt_outs WHERE (channel, participant) = (SELECT channel, participant FROM conversations WHERE id = $1)`,
        [conversationId],
      );
      return;
    case 'closed':
      return;
  }
}

/** The decision's notes (after whatever the caller appended), outbox items, deadlines and opt-out. */
export async function applyExtras(
  tx: Queryable,
  conversationId: number,
  decision: Decision,
  now: number,
): Promise<void> {
  await appendLines(
    tx,
    conversationId,
    (decision.notes ?? []).map((note) => ({ ...note, at: now })),
  );
  // PJ's own words going to the client: his first one times his reply for the pipeline.
  if (decision.notes?.some((note) => note.author === 'advisor' && note.direction === 'out')) {
    await tx.query('UPDATE conversations SET advisor_replied_at = coalesce(advisor_replied_at, $2) WHERE id = $1', [
      conversationId,
      now,
    ]);
  }
  await insertDrafts(tx, conversationId, decision.outbox ?? [], now);
  const { deadlines } = decision;
  if (deadlines !== undefined) {
    await tx.query('UPDATE conversations SET remind_at = $2, idle_at = $3 WHERE id = $1', [
      conversationId,
      deadlines.remindAt,
      deadlines.idleAt,
    ]);
  }
  await keepOptOut(tx, conversationId, decision.summary.status, now);
}
