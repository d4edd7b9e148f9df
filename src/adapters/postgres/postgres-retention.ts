import type pg from 'pg';
import { z } from 'zod';
import type { Retention } from '../../core/ports.js';
import type { DeskMessage, RemovedCounts } from '../../core/retention.js';
import { outboxColumns, parseOutboxRows } from './postgres-outbox-rows.js';
import { asStoreError, inTransaction, lockConversation } from './postgres-pool.js';
import type { Queryable } from './postgres-pool.js';
import { parseRecordRow, recordColumns } from './postgres-rows.js';
import { readTranscript } from './postgres-transcript.js';

/** Conversations removed per transaction, so a large first sweep never holds its locks for long. */
const BATCH = 500;

const idRows = z.array(z.object({ id: z.number().int() }));
const deskRow = z.object({ channel: z.string(), ts: z.string() });
const postRows = z.array(z.object({ provider_id: z.string() }));
const senderRow = z.object({ channel: z.string(), participant: z.string(), conversation_key: z.string() });

const none = (): RemovedCounts => ({
  conversations: 0,
  messages: 0,
  processedInbound: 0,
  advisorMessages: 0,
  outbox: 0,
  deskThreads: 0,
});

function add(total: RemovedCounts, more: RemovedCounts): RemovedCounts {
  return {
    conversations: total.conversations + more.conversations,
    messages: total.messages + more.messages,
    processedInbound: total.processedInbound + more.processedInbound,
    advisorMessages: total.advisorMessages + more.advisorMessages,
    outbox: total.outbox + more.outbox,
    deskThreads: total.deskThreads + more.deskThreads,
  };
}

/** Removes conversations `ids` and everything that references them, children first; joins the caller's transaction. */
async function removeConversations(tx: Queryable, ids: number[]): Promise<RemovedCounts> {
  if (ids.length === 0) return none();
  const count = async (sql: string) => (await tx.query(sql, [ids])).rowCount ?? 0;
  // The conversations' rows before their children's, as a stored download takes them: no deadlock.
  await tx.query('SELECT id FROM conversations WHERE id = ANY($1) FOR UPDATE', [ids]);
  await count('DELETE FROM phone_notices WHERE conversation_id = ANY($1)');
  // Attachments go with their transcript lines, uncounted: they reference them.
  await count('DELETE FROM message_media WHERE conversation_id = ANY($1)');
  return {
    ...none(),
    // The web chat's copy of the transcript, as its panel shows it, counts with the transcript.
    messages:
      (await count('DELETE FROM messages WHERE conversation_id = ANY($1)')) +
      (await count('DELETE FROM web_events WHERE conversation_id = ANY($1)')),
    processedInbound: await count('DELETE FROM processed_inbound WHERE conversation_id = ANY($1)'),
    outbox: await count('DELETE FROM outbox WHERE conversation_id = ANY($1)'),
    deskThreads: await count('DELETE FROM desk_threads WHERE conversation_id = ANY($1)'),
    conversations: await count('DELETE FROM conversations WHERE id = ANY($1)'),
  };
}

/** The thread header, then the notices the bot posted in it (the first notice may be the header itself). */
async function deskMessagesOf(tx: Queryable, id: number): Promise<DeskMessage[]> {
  const [thread] = (await tx.query('SELECT channel, ts FROM desk_threads WHERE conversation_id = $1', [id])).rows;
  if (thread === undefined) return [];
  const { channel, ts } = deskRow.parse(thread);
  const posts = postRows.parse(
    (
      await tx.query(
        `SELECT provider_id FROM outbox
         WHERE conversation_id = $1 AND destination_key = 'desk' AND provider_id IS NOT NULL ORDER BY id`,
        [id],
      )
    ).rows,
  );
  const posted = posts.map((row) => row.provider_id).filter((postTs) => postTs !== ts);
  return [{ channel, ts }, ...[...new Set(posted)].map((postTs) => ({ channel, ts: postTs }))];
}

/** Whether the sender's opt-out is kept (it outlives their conversations), read with `q`. */
export async function isOptedOutIn(q: Queryable, channel: string, participant: string): Promise<boolean> {
  const kept = await q.query('SELECT 1 FROM opt_outs WHERE channel = $1 AND participant = $2', [channel, participant]);
  return kept.rows.length > 0;
}

/** The retention sweep, a client's export and erasure, and the opt-outs that outlive them. */
export function createPostgresRetention(pool: pg.Pool, ready: () => Promise<void>): Retention {
  // SKIP LOCKED: instances sweeping at once split the work; a conversation being written to is
  // left for the next sweep, and the status and age are re-checked on the locked row.
  async function sweepBatch(before: number): Promise<{ removed: RemovedCounts; done: boolean }> {
    return inTransaction(pool, async (tx) => {
      const batch = idRows.parse(
        (
          await tx.query(
            `SELECT id FROM conversations WHERE status IN ('closed', 'opted_out') AND updated_at < $1
             LIMIT $2 FOR UPDATE SKIP LOCKED`,
            [before, BATCH],
          )
        ).rows,
      );
      return {
        removed: await removeConversations(
          tx,
          batch.map((row) => row.id),
        ),
        done: batch.length < BATCH,
      };
    });
  }

  async function sweepLogs(before: number): Promise<RemovedCounts> {
    return inTransaction(pool, async (tx) => {
      const count = async (sql: string) => (await tx.query(sql, [before])).rowCount ?? 0;
      return {
        ...none(),
        processedInbound: await count('DELETE FROM processed_inbound WHERE received_at < $1'),
        advisorMessages: await count('DELETE FROM advisor_messages WHERE received_at < $1'),
        outbox: await count("DELETE FROM outbox WHERE status IN ('sent', 'failed') AND updated_at < $1"),
      };
    });
  }

  return {
    sweepRetention: async ({ conversationsBefore, logsBefore }) => {
      await ready();
      let total = none();
      for (let done = false; !done;) {
        const batch = await sweepBatch(conversationsBefore);
        total = add(total, batch.removed);
        done = batch.done;
      }
      return add(total, await sweepLogs(logsBefore));
    },
    exportConversation: async (id) => {
      await ready();
      return inTransaction(pool, async (tx) => {
        await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
        const [row] = (await tx.query(`SELECT ${recordColumns} FROM conversations WHERE id = $1`, [id])).rows;
        if (row === undefined) return null;
        const outbox = await tx.query(`SELECT ${outboxColumns} FROM outbox WHERE conversation_id = $1 ORDER BY id`, [
          id,
        ]);
        const [thread] = (await tx.query('SELECT channel, ts FROM desk_threads WHERE conversation_id = $1', [id])).rows;
        return {
          conversation: parseRecordRow(row),
          transcript: await readTranscript(tx, id),
          outbox: parseOutboxRows(outbox.rows),
          deskThread: thread === undefined ? null : deskRow.parse(thread),
        };
      });
    },
    eraseConversation: async (id) => {
      await ready();
      return inTransaction(pool, async (tx) => {
        const [row] = (
          await tx.query('SELECT channel, participant, conversation_key FROM conversations WHERE id = $1', [id])
        ).rows;
        if (row === undefined) return null;
        const sender = senderRow.parse(row);
        // Under the conversation's lock: no message for it is being decided while it goes.
        await lockConversation(tx, sender.channel, sender.conversation_key);
        const deskMessages = await deskMessagesOf(tx, id);
        const removed = await removeConversations(tx, [id]);
        if (removed.conversations === 0) return null;
        return { removed, deskMessages, optOutKept: await isOptedOutIn(tx, sender.channel, sender.participant) };
      });
    },
    isOptedOut: async (channel, participant) => {
      await ready();
      try {
        return await isOptedOutIn(pool, channel, participant);
      } catch (error) {
        throw asStoreError(error);
      }
    },
  };
}
