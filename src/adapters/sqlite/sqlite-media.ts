import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { MediaDownload } from '../../core/media.js';
import type { MediaStore } from '../../core/ports.js';

const ids = z.array(z.number().int());
const downloadRow = z.object({
  id: z.number().int(),
  conversation_id: z.number().int(),
  url: z.string(),
  content_type: z.string(),
  attempts: z.number().int(),
});
const fileRow = z.object({ content_type: z.string(), data: z.instanceof(Uint8Array) });

/** Attachments' downloads (migration 8's message_media); every method is its own transaction. */
export function createSqliteMedia(db: Database.Database): MediaStore {
  // Oldest first: links never tried (or due again), and downloads whose worker died mid-way.
  const selectClaimable = db
    .prepare<{ now: number; limit: number }>(
      `SELECT id FROM message_media
       WHERE (state = 'linked' AND next_attempt_at <= @now) OR (state = 'fetching' AND claimed_until <= @now)
       ORDER BY id LIMIT @limit`,
    )
    .pluck();
  const claim = db.prepare<{ id: number; now: number; until: number }>(
    `UPDATE message_media SET state = 'fetching', claimed_until = @until, attempts = attempts + 1, updated_at = @now
     WHERE id = @id
     RETURNING id, conversation_id, url, content_type, attempts`,
  );
  const store = db.prepare<{ id: number; contentType: string; data: Uint8Array; size: number; now: number }>(
    `UPDATE message_media SET state = 'stored', content_type = @contentType, data = @data, size = @size, error = NULL,
       claimed_until = NULL, updated_at = @now
     WHERE id = @id
     RETURNING conversation_id`,
  );
  const touchConversation = db.prepare<{ id: number; now: number }>(
    'UPDATE conversations SET updated_at = max(updated_at, @now) WHERE id = @id',
  );
  const retry = db.prepare<{ id: number; retryAt: number; error: string; now: number }>(
    `UPDATE message_media SET state = 'linked', next_attempt_at = @retryAt, error = @error, claimed_until = NULL,
       updated_at = @now
     WHERE id = @id AND state = 'fetching'`,
  );
  const giveUp = db.prepare<{ id: number; state: string; error: string; now: number }>(
    `UPDATE message_media SET state = @state, error = @error, claimed_until = NULL, updated_at = @now
     WHERE id = @id AND state = 'fetching'`,
  );
  const getFile = db.prepare<{ conversationId: number; id: number }>(
    `SELECT content_type, data FROM message_media
     WHERE id = @id AND conversation_id = @conversationId AND state = 'stored' AND data IS NOT NULL`,
  );

  const claimTx = db.transaction((now: number, leaseMs: number, limit: number): MediaDownload[] =>
    ids.parse(selectClaimable.all({ now, limit })).map((id) => {
      const r = downloadRow.parse(claim.get({ id, now, until: now + leaseMs }));
      return {
        id: r.id,
        conversationId: r.conversation_id,
        url: r.url,
        contentType: r.content_type,
        attempts: r.attempts,
      };
    }),
  );
  const storeTx = db.transaction((id: number, contentType: string, bytes: Uint8Array, now: number) => {
    // NOTE: better-sqlite3 binds a Buffer as a BLOB, not a bare Uint8Array.
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const row = store.get({ id, contentType, data, size: bytes.byteLength, now });
    if (row === undefined) return;
    touchConversation.run({ id: z.object({ conversation_id: z.number().int() }).parse(row).conversation_id, now });
  });

  return {
    // Immediate: the write lock is taken before selecting, so two processes never claim one download.
    claimMediaDownloads: async (now, leaseMs, limit) => (limit > 0 ? claimTx.immediate(now, leaseMs, limit) : []),
    storeMediaFile: async (id, file, now) => {
      storeTx.immediate(id, file.contentType, file.bytes, now);
    },
    settleMediaDownload: async (id, outcome, now) => {
      if ('retryAt' in outcome) retry.run({ id, retryAt: outcome.retryAt, error: outcome.error, now });
      else giveUp.run({ id, state: outcome.state, error: outcome.error, now });
    },
    getMediaFile: async (conversationId, mediaId) => {
      const row = getFile.get({ conversationId, id: mediaId });
      if (row === undefined) return null;
      const r = fileRow.parse(row);
      return { contentType: r.content_type, bytes: new Uint8Array(r.data) };
    },
  };
}
