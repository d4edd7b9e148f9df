import { z } from 'zod';
import type { TranscriptEntry } from './conversation.js';
import type { MediaItem, MediaState } from './media.js';

// The rows both stores read a transcript from (messages, and message_media in order): their
// columns are the same on SQLite and PostgreSQL, so one reading serves both.
const messageRow = z.object({
  id: z.number().int(),
  at: z.number().int(),
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

/**
 * A transcript from its rows: `lines` ordered by id, `media` by message and position, each line
 * with what the client attached to it. `isoTime` writes a line's time (the core keeps no clock).
 */
export function transcriptFromRows(
  lines: readonly unknown[],
  media: readonly unknown[],
  isoTime: (ms: number) => string,
): TranscriptEntry[] {
  const byMessage = new Map<number, MediaItem[]>();
  for (const row of media) {
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
  return lines.map((row) => {
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
