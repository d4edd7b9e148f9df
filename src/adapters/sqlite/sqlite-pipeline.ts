import type Database from 'better-sqlite3';
import { z } from 'zod';
import { completeReview, type PipelineRow, type ReviewDraft, type VerdictReview } from '../../core/pipeline.js';
import {
  PIPELINE_COLUMNS,
  pipelineColumnsShape,
  toPipelineRow,
  VerdictBasisSchema,
  VerdictReviewSchema,
} from '../../core/pipeline-schemas.js';
import type { OutboxDraft, PipelineStore, ReviewNotes } from '../../core/ports.js';
import { draftParams, type DraftParams } from './sqlite-outbox-rows.js';
import { jsonText } from './sqlite-rows.js';

const pipelineColumns = PIPELINE_COLUMNS;

// Lean on purpose: the stats read a whole period (10,000 rows in well under 200 ms), so the JSON
// columns are parsed once with JSON.parse and checked with plain schemas, not a transform per cell.
const pipelineRow = z.object({
  ...pipelineColumnsShape,
  answers: z.string(),
  flags: z.string(),
  verdict_basis: z.string().nullable(),
  review: z.string().nullable(),
});

const json = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

function parsePipelineRow(row: unknown): PipelineRow {
  const r = pipelineRow.parse(row);
  return toPipelineRow(r, {
    answers: json(r.answers),
    flags: json(r.flags),
    basis: json(r.verdict_basis),
    review: json(r.review),
  });
}

const extraRow = z.object({
  verdict_basis: jsonText(VerdictBasisSchema).nullable(),
  review: jsonText(VerdictReviewSchema).nullable(),
});

const notesRow = z.object({
  id: z.number().int(),
  review: extraRow.shape.review,
  verdict_basis: extraRow.shape.verdict_basis,
});

const textRow = z.object({ conversation_id: z.number().int(), text: z.string() });

/** PJ's pipeline over the conversations table (migration 8 keeps its times, basis and review). */
export function createSqlitePipeline(db: Database.Database): PipelineStore {
  const inPeriod = db.prepare<{ from: number; before: number; channel: string | null }>(
    `SELECT ${pipelineColumns} FROM conversations
     WHERE created_at >= @from AND created_at < @before AND (@channel IS NULL OR channel = @channel)
     ORDER BY created_at, id`,
  );
  const setReview = db.prepare<{ id: number; review: string }>(
    'UPDATE conversations SET review = @review WHERE id = @id',
  );
  const reviewed = db.prepare(`SELECT ${pipelineColumns} FROM conversations WHERE review IS NOT NULL ORDER BY id`);
  const clientTexts = db.prepare(
    `SELECT m.conversation_id, m.text FROM messages AS m JOIN conversations AS c ON c.id = m.conversation_id
     WHERE c.review IS NOT NULL AND m.direction = 'in' AND m.author = 'user' ORDER BY m.conversation_id, m.id`,
  );
  // One read transaction: a review or a text committed in between cannot split a conversation from its texts.
  const reviewedTx = db.transaction(() => {
    const rows = reviewed.all().map(parsePipelineRow);
    const texts = new Map<number, string[]>();
    for (const raw of clientTexts.all()) {
      const { conversation_id: id, text } = textRow.parse(raw);
      texts.set(id, [...(texts.get(id) ?? []), text]);
    }
    return rows.map((row) => ({ ...row, texts: texts.get(row.id) ?? [] }));
  });
  const notesOf = db.prepare<[string]>(
    'SELECT id, review, verdict_basis FROM conversations WHERE id IN (SELECT value FROM json_each(?))',
  );
  const getOne = db.prepare<[number]>(`SELECT ${pipelineColumns} FROM conversations WHERE id = ?`);
  const reviewTx = db.transaction((id: number, draft: ReviewDraft): VerdictReview | null => {
    const row = getOne.get(id);
    if (row === undefined) return null;
    const review = completeReview(parsePipelineRow(row), draft);
    setReview.run({ id, review: JSON.stringify(review) });
    return review;
  });
  const takeDay = db.prepare<{ day: string; now: number }>(
    'INSERT INTO daily_digests (day, created_at) VALUES (@day, @now) ON CONFLICT (day) DO NOTHING',
  );
  const insertDigest = db.prepare<DraftParams>(
    `INSERT INTO outbox (conversation_id, destination, destination_key, payload, status, attempts, next_attempt_at,
       created_at, updated_at)
     VALUES (NULL, @destination, @destinationKey, @payload, 'pending', 0, @now, @now, @now)`,
  );
  // Immediate: the day's key and its items commit together, or neither does.
  const digestTx = db.transaction((day: string, drafts: OutboxDraft[], now: number): boolean => {
    if (takeDay.run({ day, now }).changes === 0) return false;
    for (const draft of drafts) insertDigest.run(draftParams(0, draft, now));
    return true;
  });
  return {
    enqueueDigest: async (day, drafts, now) => digestTx.immediate(day, drafts, now),
    listPipeline: async (query) =>
      inPeriod
        .all({ from: query.createdFrom, before: query.createdBefore, channel: query.channel ?? null })
        .map(parsePipelineRow),
    reviewVerdict: async (id, draft) => reviewTx.immediate(id, draft),
    listReviewed: async () => reviewedTx(),
    reviewsOf: async (ids) => {
      const notes = new Map<number, ReviewNotes>();
      if (ids.length === 0) return notes;
      for (const raw of notesOf.all(JSON.stringify(ids))) {
        const row = notesRow.parse(raw);
        notes.set(row.id, { review: row.review, rulesVersion: row.verdict_basis?.rulesVersion ?? null });
      }
      return notes;
    },
  };
}
