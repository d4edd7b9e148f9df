import type pg from 'pg';
import { z } from 'zod';
import { completeReview, type PipelineRow } from '../../core/pipeline.js';
import {
  PIPELINE_COLUMNS,
  pipelineColumnsShape,
  toPipelineRow,
  VerdictBasisSchema,
  VerdictReviewSchema,
} from '../../core/pipeline-schemas.js';
import type { PipelineStore, ReviewNotes } from '../../core/ports.js';
import { draftColumns } from './postgres-outbox-rows.js';
import { inTransaction, pgJson, queryRows } from './postgres-pool.js';

const pipelineColumns = PIPELINE_COLUMNS;

// jsonb arrives parsed; the values are checked with plain schemas (a period is 10,000 rows).
const pipelineRow = z.object({
  ...pipelineColumnsShape,
  answers: z.unknown(),
  flags: z.unknown(),
  verdict_basis: z.unknown(),
  review: z.unknown(),
});

function parsePipelineRow(row: unknown): PipelineRow {
  const r = pipelineRow.parse(row);
  return toPipelineRow(r, {
    answers: r.answers,
    flags: r.flags,
    basis: r.verdict_basis ?? null,
    review: r.review ?? null,
  });
}

const extraRow = z.object({
  verdict_basis: VerdictBasisSchema.nullable(),
  review: VerdictReviewSchema.nullable(),
});

const notesRow = z.object({
  id: z.number().int(),
  review: extraRow.shape.review,
  verdict_basis: extraRow.shape.verdict_basis,
});

const textRow = z.object({ conversation_id: z.number().int(), text: z.string() });

/** PJ's pipeline over the conversations table (migration 2 keeps its times, basis and review). */
export function createPostgresPipeline(pool: pg.Pool, ready: () => Promise<void>): PipelineStore {
  const rows = async (sql: string, params: unknown[]) => {
    await ready();
    return queryRows(pool, sql, params);
  };
  return {
    enqueueDigest: async (day, drafts, now) => {
      await ready();
      // The day's key and its items commit together; a second instance's insert waits and finds the key.
      return inTransaction(pool, async (tx) => {
        const taken = await tx.query(
          'INSERT INTO daily_digests (day, created_at) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING RETURNING day',
          [day, now],
        );
        if (taken.rowCount !== 1) return false;
        for (const draft of drafts) {
          await tx.query(
            `INSERT INTO outbox (conversation_id, destination, destination_key, payload, status, attempts, next_attempt_at,
               created_at, updated_at)
             VALUES (NULL, $1::jsonb, $2, $3::jsonb, 'pending', 0, $4, $4, $4)`,
            [...draftColumns(draft), now],
          );
        }
        return true;
      });
    },
    listPipeline: async (query) =>
      (
        await rows(
          `SELECT ${pipelineColumns} FROM conversations
           WHERE created_at >= $1 AND created_at < $2 AND ($3::text IS NULL OR channel = $3)
           ORDER BY created_at, id`,
          [query.createdFrom, query.createdBefore, query.channel ?? null],
        )
      ).map(parsePipelineRow),
    reviewVerdict: async (id, draft) => {
      await ready();
      return inTransaction(pool, async (tx) => {
        const [row] = (await tx.query(`SELECT ${pipelineColumns} FROM conversations WHERE id = $1 FOR UPDATE`, [id]))
          .rows;
        if (row === undefined) return null;
        const review = completeReview(parsePipelineRow(row), draft);
        await tx.query('UPDATE conversations SET review = $2::jsonb WHERE id = $1', [id, pgJson(review)]);
        return review;
      });
    },
    reviewsOf: async (ids) => {
      const notes = new Map<number, ReviewNotes>();
      if (ids.length === 0) return notes;
      for (const raw of await rows('SELECT id, review, verdict_basis FROM conversations WHERE id = ANY($1::bigint[])', [
        ids,
      ])) {
        const row = notesRow.parse(raw);
        notes.set(row.id, { review: row.review, rulesVersion: row.verdict_basis?.rulesVersion ?? null });
      }
      return notes;
    },
    listReviewed: async () => {
      await ready();
      // One snapshot: a review or a text committed in between cannot split a conversation from its texts.
      return inTransaction(pool, async (tx) => {
        await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const reviewed = (
          await tx.query(`SELECT ${pipelineColumns} FROM conversations WHERE review IS NOT NULL ORDER BY id`)
        ).rows.map(parsePipelineRow);
        const texts = new Map<number, string[]>();
        const found = await tx.query(
          `SELECT m.conversation_id, m.text FROM messages AS m JOIN conversations AS c ON c.id = m.conversation_id
           WHERE c.review IS NOT NULL AND m.direction = 'in' AND m.author = 'user' ORDER BY m.conversation_id, m.id`,
        );
        for (const raw of found.rows) {
          const { conversation_id: id, text } = textRow.parse(raw);
          texts.set(id, [...(texts.get(id) ?? []), text]);
        }
        return reviewed.map((row) => ({ ...row, texts: texts.get(row.id) ?? [] }));
      });
    },
  };
}
