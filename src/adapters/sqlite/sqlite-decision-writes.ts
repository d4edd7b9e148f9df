import type Database from 'better-sqlite3';
import type { InboundMessage, TranscriptEntry } from '../../core/conversation.js';
import type { InboundMedia } from '../../core/media.js';
import type { Decision, TranscriptNote } from '../../core/ports.js';
import { snapshotTextOf } from '../../core/snapshot-text.js';
import type { KeepOptOut } from './sqlite-opt-outs.js';
import type { InsertDrafts } from './sqlite-outbox.js';

/** Writes of one decision; every method joins the caller's transaction. */
interface DecisionWriter {
  /** A new conversation for `message`, named after its sender; returns its id. */
  create(message: InboundMessage, decision: Decision): number;
  /**
   * Saves over conversation `id`, which must still be at row `version`; `region`, where the
   * sender's number is (a message's), replaces the stored one when given.
   */
  save(id: number, version: number, decision: Decision, now: number, region?: string): void;
  /** Appends a transcript line; returns its row id. */
  append(conversationId: number, at: number, entry: Omit<TranscriptEntry, 'at' | 'media'>, externalId?: string): number;
  /** Keeps the links of what the client attached to transcript line `messageId`, in order. */
  appendMedia(conversationId: number, messageId: number, media: readonly InboundMedia[], at: number): void;
  /** The decision's notes (after whatever the caller appended), outbox items, deadlines and the sender's opt-out. */
  applyExtras(conversationId: number, decision: Decision, now: number): void;
}

/** PJ's own words going to the client: his first one times his reply for the pipeline. */
const isAdvisorText = (note: TranscriptNote): boolean => note.author === 'advisor' && note.direction === 'out';

/**
 * A decision's columns as the conversation row stores them. `leading`: status, awaiting, answers,
 * verdict, side, flags, snapshot and machine_version, in the order both statements below list them.
 */
function summaryColumns(decision: Decision, region: string | undefined) {
  const { summary } = decision;
  const flags = JSON.stringify(summary.flags);
  return {
    leading: [
      summary.status,
      summary.awaiting,
      JSON.stringify(summary.answers),
      summary.verdict,
      summary.side,
      flags,
      // A decision made on the decide thread brings its snapshot as text (snapshot-text.ts).
      snapshotTextOf(decision) ?? JSON.stringify(decision.snapshot),
      decision.machineVersion,
    ] satisfies Value[],
    flags,
    // undefined keeps the stored basis (an update); a new conversation stores null then.
    basisSet: decision.verdictBasis === undefined ? 0 : 1,
    basis: decision.verdictBasis ? JSON.stringify(decision.verdictBasis) : null,
    // The client's language: the store keeps what the machine says.
    language: decision.summary.language ?? 'en',
    // Written with the rest: a second UPDATE of the row per text cost a statement (issue 11).
    region: region ?? null,
  };
}

// The conversation row's INSERT and UPDATE (one of them runs for every text) take their parameters
// by position, in the order of their ?s: better-sqlite3 looks each named parameter up on the object
// through V8's API, which cost the UPDATE about a third of its time (issue 11).
type Value = string | number | null;

export function createDecisionWriter(
  db: Database.Database,
  insertDrafts: InsertDrafts,
  keepOptOut: KeepOptOut,
): DecisionWriter {
  const insertConversation = db.prepare<Value[]>(
    `INSERT INTO conversations (channel, conversation_key, participant, status, awaiting, answers, verdict, side, flags,
       snapshot, machine_version, version, created_at, updated_at, flagged_at, verdict_basis, language, region)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, CASE WHEN ? != '[]' THEN ? END, ?, ?, ?)`,
  );
  const updateConversation = db.prepare<Value[]>(
    `UPDATE conversations SET status = ?, awaiting = ?, answers = ?, verdict = ?, side = ?, flags = ?, snapshot = ?,
       machine_version = ?, version = version + 1, updated_at = ?,
       flagged_at = coalesce(flagged_at, CASE WHEN ? != '[]' THEN ? END),
       verdict_basis = CASE WHEN ? = 1 THEN ? ELSE verdict_basis END, language = ?, region = coalesce(?, region)
     WHERE id = ? AND version = ?`,
  );
  const insertMessage = db.prepare<[number, number, string, string, string, string | null]>(
    `INSERT INTO messages (conversation_id, at, direction, author, text, external_id) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const markAdvisorReplied = db.prepare<{ id: number; now: number }>(
    'UPDATE conversations SET advisor_replied_at = coalesce(advisor_replied_at, @now) WHERE id = @id',
  );
  const insertMedia = db.prepare<{
    messageId: number;
    conversationId: number;
    position: number;
    url: string;
    contentType: string;
    at: number;
  }>(
    `INSERT INTO message_media (message_id, conversation_id, position, url, content_type, state, next_attempt_at,
       created_at, updated_at)
     VALUES (@messageId, @conversationId, @position, @url, @contentType, 'linked', @at, @at, @at)`,
  );
  const setDeadlines = db.prepare<{ id: number; remindAt: number | null; idleAt: number | null }>(
    'UPDATE conversations SET remind_at = @remindAt, idle_at = @idleAt WHERE id = @id',
  );

  const append: DecisionWriter['append'] = (conversationId, at, entry, externalId) =>
    Number(
      insertMessage.run(conversationId, at, entry.direction, entry.author, entry.text, externalId ?? null)
        .lastInsertRowid,
    );

  return {
    create: (message, decision) => {
      const c = summaryColumns(decision, message.region);
      const now = message.receivedAt;
      const info = insertConversation.run(
        message.channel,
        message.conversationKey,
        message.participant,
        ...c.leading,
        now,
        now,
        c.flags,
        now,
        c.basis,
        c.language,
        c.region,
      );
      return Number(info.lastInsertRowid);
    },
    save: (id, version, decision, now, region) => {
      const c = summaryColumns(decision, region);
      const info = updateConversation.run(
        ...c.leading,
        now,
        c.flags,
        now,
        c.basisSet,
        c.basis,
        c.language,
        c.region,
        id,
        version,
      );
      if (info.changes !== 1) throw new Error(`conversation ${id} changed concurrently`);
    },
    append,
    appendMedia: (conversationId, messageId, media, at) => {
      media.forEach((item, position) =>
        insertMedia.run({ messageId, conversationId, position, url: item.url, contentType: item.contentType, at }),
      );
    },
    applyExtras: (conversationId, decision, now) => {
      for (const note of decision.notes ?? []) append(conversationId, now, note);
      if (decision.notes?.some(isAdvisorText)) markAdvisorReplied.run({ id: conversationId, now });
      insertDrafts(conversationId, decision.outbox ?? [], now);
      const { deadlines } = decision;
      if (deadlines !== undefined) {
        setDeadlines.run({ id: conversationId, remindAt: deadlines.remindAt, idleAt: deadlines.idleAt });
      }
      keepOptOut(conversationId, decision.summary.status, now);
    },
  };
}
