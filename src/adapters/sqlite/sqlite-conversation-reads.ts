import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { ConversationStore } from '../../core/ports.js';
import { epochMs, parseRecordRow, openConversationSql, recordColumns } from './sqlite-rows.js';
import { createTranscriptReader } from './sqlite-transcript.js';

type SqliteConversationReads = Pick<ConversationStore, 'list' | 'get' | 'findOpen' | 'listDue'>;

const dueRow = z.object({ id: z.number().int(), remind_at: epochMs.nullable(), idle_at: epochMs.nullable() });

export function createSqliteConversationReads(db: Database.Database): SqliteConversationReads {
  const findOpenRecord = db.prepare<[string, string]>(openConversationSql(recordColumns));
  const listConversations = db.prepare<{
    channel: string | null;
    participant: string | null;
    status: string | null;
    since: number | null;
    createdFrom: number | null;
    createdBefore: number | null;
    beforeAt: number | null;
    beforeId: number | null;
    limit: number;
  }>(
    // The cursor is a row value: the order's own key, so a page never repeats or skips a row.
    `SELECT ${recordColumns} FROM conversations
     WHERE (@channel IS NULL OR channel = @channel) AND (@participant IS NULL OR participant = @participant)
       AND (@status IS NULL OR status = @status) AND (@since IS NULL OR updated_at >= @since)
       AND (@createdFrom IS NULL OR created_at >= @createdFrom) AND (@createdBefore IS NULL OR created_at < @createdBefore)
       AND (@beforeAt IS NULL OR (updated_at, id) < (@beforeAt, @beforeId))
     ORDER BY updated_at DESC, id DESC
     LIMIT @limit`,
  );
  const getConversation = db.prepare<[number]>(`SELECT ${recordColumns} FROM conversations WHERE id = ?`);
  const getTranscript = createTranscriptReader(db);
  // Each side of the OR has its own partial index (migration 3). No ORDER BY: without ANALYZE
  // statistics it makes the planner scan the table in id order instead; the few rows are sorted here.
  const listDue = db.prepare<{ now: number }>(
    'SELECT id, remind_at, idle_at FROM conversations WHERE remind_at <= @now OR idle_at <= @now',
  );

  // One read transaction so another process cannot commit between the record and its transcript.
  const getTx = db.transaction((id: number) => {
    const row = getConversation.get(id);
    if (row === undefined) return null;
    return { ...parseRecordRow(row), transcript: getTranscript(id) };
  });

  return {
    list: async (filter, page) =>
      listConversations
        .all({
          channel: filter.channel ?? null,
          participant: filter.participant ?? null,
          status: filter.status ?? null,
          since: filter.updatedSince ?? null,
          createdFrom: filter.createdFrom ?? null,
          createdBefore: filter.createdBefore ?? null,
          beforeAt: page?.before?.updatedAt ?? null,
          beforeId: page?.before?.id ?? null,
          // NOTE: SQLite reads a negative LIMIT as none.
          limit: page?.limit ?? -1,
        })
        .map(parseRecordRow),
    get: async (id) => getTx(id),
    findOpen: async (channel, conversationKey) => {
      const row = findOpenRecord.get(channel, conversationKey);
      return row === undefined ? null : parseRecordRow(row);
    },
    listDue: async (now) =>
      listDue
        .all({ now })
        .map((row) => {
          const r = dueRow.parse(row);
          return {
            id: r.id,
            remindDue: r.remind_at !== null && r.remind_at <= now,
            idleDue: r.idle_at !== null && r.idle_at <= now,
          };
        })
        .sort((a, b) => a.id - b.id),
  };
}
