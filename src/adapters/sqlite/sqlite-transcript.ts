import type Database from 'better-sqlite3';
import type { TranscriptEntry } from '../../core/conversation.js';
import { transcriptFromRows } from '../../core/transcript-rows.js';

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
  return (conversationId) => transcriptFromRows(lines.all(conversationId), media.all(conversationId), isoTime);
}
