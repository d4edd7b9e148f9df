import type pg from 'pg';
import { z } from 'zod';
import type { ConversationStore, DeskThreadStore } from '../../core/ports.js';
import { queryRows, inTransaction } from './postgres-pool.js';
import { epochMs, openConversationSql, parseRecordRow, recordColumns } from './postgres-rows.js';
import { readTranscript } from './postgres-transcript.js';

type PostgresReads = Pick<ConversationStore, 'list' | 'get' | 'findOpen' | 'listDue'>;

const dueRow = z.object({ id: z.number().int(), remind_at: epochMs.nullable(), idle_at: epochMs.nullable() });
const threadRow = z.object({ channel: z.string(), ts: z.string() });
const idRow = z.object({ conversation_id: z.number().int() });

export function createPostgresReads(pool: pg.Pool, ready: () => Promise<void>): PostgresReads {
  const rows = async (sql: string, params: unknown[]) => {
    await ready();
    return queryRows(pool, sql, params);
  };
  return {
    list: async (filter, page) =>
      (
        await rows(
          // The cursor is a row value: the order's own key, so a page never repeats or skips a row. LIMIT NULL is none.
          `SELECT ${recordColumns} FROM conversations
           WHERE ($1::text IS NULL OR channel = $1) AND ($2::text IS NULL OR participant = $2)
             AND ($3::text IS NULL OR status = $3) AND ($4::bigint IS NULL OR updated_at >= $4)
             AND ($8::bigint IS NULL OR created_at >= $8) AND ($9::bigint IS NULL OR created_at < $9)
             AND ($5::bigint IS NULL OR (updated_at, id) < ($5, $6::bigint))
           ORDER BY updated_at DESC, id DESC
           LIMIT $7`,
          [
            filter.channel ?? null,
            filter.participant ?? null,
            filter.status ?? null,
            filter.updatedSince ?? null,
            page?.before?.updatedAt ?? null,
            page?.before?.id ?? null,
            page?.limit ?? null,
            filter.createdFrom ?? null,
            filter.createdBefore ?? null,
          ],
        )
      ).map(parseRecordRow),
    get: async (id) => {
      await ready();
      // One snapshot for the record and its transcript: another instance cannot commit in between.
      return inTransaction(pool, async (tx) => {
        await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const [row] = (await tx.query(`SELECT ${recordColumns} FROM conversations WHERE id = $1`, [id])).rows;
        if (row === undefined) return null;
        return { ...parseRecordRow(row), transcript: await readTranscript(tx, id) };
      });
    },
    findOpen: async (channel, conversationKey) => {
      const [row] = await rows(openConversationSql(recordColumns), [channel, conversationKey]);
      return row === undefined ? null : parseRecordRow(row);
    },
    listDue: async (now) =>
      (
        await rows(
          'SELECT id, remind_at, idle_at FROM conversations WHERE remind_at <= $1 OR idle_at <= $1 ORDER BY id',
          [now],
        )
      ).map((row) => {
        const r = dueRow.parse(row);
        return {
          id: r.id,
          remindDue: r.remind_at !== null && r.remind_at <= now,
          idleDue: r.idle_at !== null && r.idle_at <= now,
        };
      }),
  };
}

/** Each conversation's thread in the Slack handoff channel, and the way back from a thread. */
export function createPostgresDeskThreads(pool: pg.Pool, ready: () => Promise<void>): DeskThreadStore {
  const rows = async (sql: string, params: unknown[]) => {
    await ready();
    return queryRows(pool, sql, params);
  };
  return {
    getDeskThread: async (conversationId) => {
      const [row] = await rows('SELECT channel, ts FROM desk_threads WHERE conversation_id = $1', [conversationId]);
      return row === undefined ? null : threadRow.parse(row);
    },
    setDeskThread: async (conversationId, channel, ts) => {
      await ready();
      // As SQLite's INSERT OR REPLACE: the thread leaves any conversation that held it.
      await inTransaction(pool, async (tx) => {
        await tx.query('DELETE FROM desk_threads WHERE conversation_id = $1 OR (channel = $2 AND ts = $3)', [
          conversationId,
          channel,
          ts,
        ]);
        await tx.query('INSERT INTO desk_threads (conversation_id, channel, ts) VALUES ($1, $2, $3)', [
          conversationId,
          channel,
          ts,
        ]);
      });
    },
    findByDeskThread: async (channel, ts) => {
      const [row] = await rows('SELECT conversation_id FROM desk_threads WHERE channel = $1 AND ts = $2', [
        channel,
        ts,
      ]);
      return row === undefined ? null : idRow.parse(row).conversation_id;
    },
  };
}
