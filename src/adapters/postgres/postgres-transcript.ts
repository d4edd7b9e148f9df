import type { TranscriptEntry } from '../../core/conversation.js';
import type { InboundMedia } from '../../core/media.js';
import { transcriptFromRows } from '../../core/transcript-rows.js';
import { pgText } from './postgres-pool.js';
import type { Queryable } from './postgres-pool.js';

const isoTime = (ms: number): string => new Date(ms).toISOString();

/** One conversation's transcript, each line with what the client attached to it; joins the caller's transaction. */
export async function readTranscript(tx: Queryable, conversationId: number): Promise<TranscriptEntry[]> {
  const lines = await tx.query(
    'SELECT id, at, direction, author, text FROM messages WHERE conversation_id = $1 ORDER BY id',
    [conversationId],
  );
  const media = await tx.query(
    `SELECT id, message_id, url, content_type, state, size FROM message_media
     WHERE conversation_id = $1 ORDER BY message_id, position`,
    [conversationId],
  );
  return transcriptFromRows(lines.rows, media.rows, isoTime);
}

/** Keeps the links of what the client attached to transcript line `messageId`, in order; joins the caller's transaction. */
export async function appendMedia(
  tx: Queryable,
  conversationId: number,
  messageId: number,
  media: readonly InboundMedia[],
  at: number,
): Promise<void> {
  if (media.length === 0) return;
  const params: unknown[] = [messageId, conversationId, at];
  const values = media.map((item, position) => {
    const n = params.length;
    params.push(position, pgText(item.url), pgText(item.contentType));
    return `($1, $2, $${n + 1}, $${n + 2}, $${n + 3}, 'linked', $3, $3, $3)`;
  });
  await tx.query(
    `INSERT INTO message_media (message_id, conversation_id, position, url, content_type, state, next_attempt_at,
       created_at, updated_at)
     VALUES ${values.join(', ')}`,
    params,
  );
}
