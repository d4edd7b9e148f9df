import type pg from 'pg';
import { z } from 'zod';
import type { MediaDownload } from '../../core/media.js';
import type { MediaStore } from '../../core/ports.js';
import { inTransaction, pgText, queryRows } from './postgres-pool.js';

const downloadRow = z.object({
  id: z.number().int(),
  conversation_id: z.number().int(),
  url: z.string(),
  content_type: z.string(),
  attempts: z.number().int(),
});
const fileRow = z.object({ content_type: z.string(), data: z.instanceof(Uint8Array) });
const conversationRow = z.object({ conversation_id: z.number().int() });

// What a claim may take: a link never tried (or due again), or a download whose worker died
// mid-way (its lease over). Written out twice in CLAIM: once to find rows, once on the locked row.
const CLAIMABLE = `((m.state = 'linked' AND m.next_attempt_at <= $1) OR (m.state = 'fetching' AND m.claimed_until <= $1))`;

// Oldest first. SKIP LOCKED: another instance's claim in flight is passed over, not waited on; the
// state is checked again on the locked row, so one another instance claimed and committed since
// this statement's snapshot is dropped (as the outbox's claim).
const CLAIM = `
  WITH claimable AS (
    SELECT m.id FROM message_media AS m
    WHERE ${CLAIMABLE}
    ORDER BY m.id
    LIMIT $3
    FOR UPDATE OF m SKIP LOCKED)
  UPDATE message_media AS m SET state = 'fetching', claimed_until = $2, attempts = m.attempts + 1, updated_at = $1
  FROM claimable WHERE m.id = claimable.id AND ${CLAIMABLE}
  RETURNING m.id, m.conversation_id, m.url, m.content_type, m.attempts`;

/** Attachments' downloads (migration 6's message_media), safe for several instances. */
export function createPostgresMedia(pool: pg.Pool, ready: () => Promise<void>): MediaStore {
  const rows = async (sql: string, params: unknown[]) => {
    await ready();
    return queryRows(pool, sql, params);
  };
  return {
    claimMediaDownloads: async (now, leaseMs, limit) => {
      if (limit <= 0) return [];
      return (await rows(CLAIM, [now, now + leaseMs, limit]))
        .map((row): MediaDownload => {
          const r = downloadRow.parse(row);
          return {
            id: r.id,
            conversationId: r.conversation_id,
            url: r.url,
            contentType: r.content_type,
            attempts: r.attempts,
          };
        })
        .sort((a, b) => a.id - b.id);
    },
    storeMediaFile: async (id, file, now) => {
      await ready();
      await inTransaction(pool, async (tx) => {
        const [owner] = (await tx.query('SELECT conversation_id FROM message_media WHERE id = $1', [id])).rows;
        if (owner === undefined) return;
        const conversationId = conversationRow.parse(owner).conversation_id;
        // The conversation's row first, as every writer of a conversation and its transcript takes
        // them (a receive, the retention sweep, an erasure): no deadlock between them and this.
        const touched = await tx.query(
          'UPDATE conversations SET updated_at = greatest(updated_at, $2) WHERE id = $1 RETURNING id',
          [conversationId, now],
        );
        if (touched.rows.length === 0) return;
        await tx.query(
          `UPDATE message_media SET state = 'stored', content_type = $2, data = $3, size = $4, error = NULL,
             claimed_until = NULL, updated_at = $5
           WHERE id = $1`,
          [
            id,
            pgText(file.contentType),
            Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength),
            file.bytes.byteLength,
            now,
          ],
        );
      });
    },
    settleMediaDownload: async (id, outcome, now) => {
      if ('retryAt' in outcome) {
        await rows(
          `UPDATE message_media SET state = 'linked', next_attempt_at = $2, error = $3, claimed_until = NULL, updated_at = $4
           WHERE id = $1 AND state = 'fetching'`,
          [id, outcome.retryAt, pgText(outcome.error), now],
        );
        return;
      }
      await rows(
        `UPDATE message_media SET state = $2, error = $3, claimed_until = NULL, updated_at = $4
         WHERE id = $1 AND state = 'fetching'`,
        [id, outcome.state, pgText(outcome.error), now],
      );
    },
    getMediaFile: async (conversationId, mediaId) => {
      const [row] = await rows(
        `SELECT content_type, data FROM message_media
         WHERE id = $1 AND conversation_id = $2 AND state = 'stored' AND data IS NOT NULL`,
        [mediaId, conversationId],
      );
      if (row === undefined) return null;
      const r = fileRow.parse(row);
      return { contentType: r.content_type, bytes: new Uint8Array(r.data) };
    },
  };
}
