import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { DeskThreadStore } from '../../core/ports.js';

const threadRow = z.object({ channel: z.string(), ts: z.string() });
const idRow = z.object({ conversation_id: z.number().int() });

/** Each conversation's thread in the Slack handoff channel, and the way back from a thread. */
export function createSqliteDeskThreads(db: Database.Database): DeskThreadStore {
  const get = db.prepare<[number]>('SELECT channel, ts FROM desk_threads WHERE conversation_id = ?');
  // OR REPLACE also frees a (channel, ts) another conversation held: a thread belongs to one conversation.
  const set = db.prepare<[number, string, string]>(
    'INSERT OR REPLACE INTO desk_threads (conversation_id, channel, ts) VALUES (?, ?, ?)',
  );
  const find = db.prepare<[string, string]>('SELECT conversation_id FROM desk_threads WHERE channel = ? AND ts = ?');

  return {
    getDeskThread: async (conversationId) => {
      const row = get.get(conversationId);
      return row === undefined ? null : threadRow.parse(row);
    },
    setDeskThread: async (conversationId, channel, ts) => {
      set.run(conversationId, channel, ts);
    },
    findByDeskThread: async (channel, ts) => {
      const row = find.get(channel, ts);
      return row === undefined ? null : idRow.parse(row).conversation_id;
    },
  };
}
