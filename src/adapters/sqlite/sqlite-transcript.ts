import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { TranscriptEntry } from '../../core/conversation.js';
import type { MediaItem, MediaState } from '../../core/media.js';
import { epochMs } from './sqlite-rows.js';

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

/** Reads one conversation's transcript, each line with what the client attached to it; joins the caller's transaction. */
export function createTranscriptReader(db: Database.Database): (conversationId: number) => TranscriptEntry[] {
  const lines = db.prepare<[number]>(
    'SELECT id, at, direction, author, text FROM messages WHERE conversation_id = ? ORDER BY id',
  );
  const media = db.prepare<[number]>(
    `SELECT id, message_id, url, content_type, state, size FROM message_media
     WHERE conversation_id = ? ORDER BY message_id, position`,
  );
  return (conversationId) => {
    const byMessage = new Map<number, MediaItem[]>();
    for (const row of media.all(conversationId)) {
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
    return lines.all(conversationId).map((row) => {
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
  };
}
