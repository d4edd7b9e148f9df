import { z } from 'zod';
import type { TranscriptEntry } from '../../core/conversation.js';
import type { InboundMedia, MediaItem, MediaState } from '../../core/media.js';
import { pgText } from './postgres-pool.js';
import type { Queryable } from './postgres-pool.js';
import { epochMs } from './postgres-rows.js';

const messageRow = z.object({
  id: z.number().int(),
  at: epochMs,
  direction: z.enum(['in', 'out', 'event']),
  author: z.enum(['user', 'bot', 'advisor']),
  text: z.string(),
});

const mediaRow = z.object({
  id: z.number().int(),
  message_id: z.number().int(),
  url: z.string(),
  content_type: z.string(),
  state: z.enum(['linked', 'fetching', 'stored', 'tooLarge', 'failed']),
  size: z.number().int().nullable(),
});

/** A download under way is, to whoever reads the transcript, still a link. */
const shownState = (state: z.infer<typeof mediaRow>['state']): MediaState => (state === 'fetching' ? 'linked' : state);

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
  const byMessage = new Map<number, MediaItem[]>();
  for (const row of media.rows) {
    const m = mediaRow.parse(row);
    const item: MediaItem = {
      id: m.id,
      url: m.url,
      contentType: m.content_type,
      state: shownState(m.state),
      size: m.size,
    };
    byMessage.set(m.message_id, [...(byMessage.get(m.message_id) ?? []), item]);
  }
  return lines.rows.map((row) => {
    const r = messageRow.parse(row);
    const attached = byMessage.get(r.id);
    return {
      at: isoTime(r.at),
      direction: r.direction,
      author: r.author,
      text: r.text,
      ...(attached !== undefined && { media: attached }),
    };
  });
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
