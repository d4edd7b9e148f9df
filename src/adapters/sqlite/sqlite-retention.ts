import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { Retention } from '../../core/ports.js';
import type { DeskMessage, RemovedCounts } from '../../core/retention.js';
import type { SqliteOptOuts } from './sqlite-opt-outs.js';
import { outboxColumns, parseOutboxRows } from './sqlite-outbox-rows.js';
import { parseRecordRow, recordColumns } from './sqlite-rows.js';
import { createTranscriptReader } from './sqlite-transcript.js';

/** Conversations removed per transaction, so a large first sweep never holds the write lock for long. */
const BATCH = 500;

const ids = z.array(z.number().int());
const deskRow = z.object({ channel: z.string(), ts: z.string() });
const sentToDesk = z.array(z.string());
const senderRow = z.object({ channel: z.string(), participant: z.string() });

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

/** The retention sweep, a client's export and erasure, and the opt-outs that outlive them. */
export function createSqliteRetention(db: Database.Database, optOuts: SqliteOptOuts): Retention {
  const expired = db
    .prepare<{ before: number; limit: number }>(
      `SELECT id FROM conversations WHERE status IN ('closed', 'opted_out') AND updated_at < @before LIMIT @limit`,
    )
    .pluck();
  // Children first: every one of these tables references conversations.
  const removeOne = {
    // Attachments go with their transcript lines, uncounted: they reference them.
    media: db.prepare<[number]>('DELETE FROM message_media WHERE conversation_id = ?'),
    messages: db.prepare<[number]>('DELETE FROM messages WHERE conversation_id = ?'),
    // The web chat's copy of the transcript, as its panel shows it; counted with the transcript.
    webEvents: db.prepare<[number]>('DELETE FROM web_events WHERE conversation_id = ?'),
    phoneNotices: db.prepare<[number]>('DELETE FROM phone_notices WHERE conversation_id = ?'),
    processedInbound: db.prepare<[number]>('DELETE FROM processed_inbound WHERE conversation_id = ?'),
    outbox: db.prepare<[number]>('DELETE FROM outbox WHERE conversation_id = ?'),
    deskThreads: db.prepare<[number]>('DELETE FROM desk_threads WHERE conversation_id = ?'),
    conversations: db.prepare<[number]>('DELETE FROM conversations WHERE id = ?'),
  };
  const oldProcessed = db.prepare<[number]>('DELETE FROM processed_inbound WHERE received_at < ?');
  const oldAdvisorMessages = db.prepare<[number]>('DELETE FROM advisor_messages WHERE received_at < ?');
  const oldOutbox = db.prepare<[number]>("DELETE FROM outbox WHERE status IN ('sent', 'failed') AND updated_at < ?");

  const getRecord = db.prepare<[number]>(`SELECT ${recordColumns} FROM conversations WHERE id = ?`);
  const getSender = db.prepare<[number]>('SELECT channel, participant FROM conversations WHERE id = ?');
  const getTranscript = createTranscriptReader(db);
  const getOutbox = db.prepare<[number]>(`SELECT ${outboxColumns} FROM outbox WHERE conversation_id = ? ORDER BY id`);
  const getDeskThread = db.prepare<[number]>('SELECT channel, ts FROM desk_threads WHERE conversation_id = ?');
  // The notices the bot posted in the thread: sent to the desk, with Slack's ts as the provider id.
  const getDeskPosts = db
    .prepare<[number]>(
      `SELECT provider_id FROM outbox
       WHERE conversation_id = ? AND destination_key = 'desk' AND provider_id IS NOT NULL ORDER BY id`,
    )
    .pluck();

  /**
   * The thread header, then the notices the bot posted in it (the first notice may be the header
   * itself). Notices share the thread's channel; a thread since replaced in another channel is not known.
   */
  function deskMessagesOf(id: number): DeskMessage[] {
    const thread = getDeskThread.get(id);
    if (thread === undefined) return [];
    const { channel, ts } = deskRow.parse(thread);
    const posted = sentToDesk.parse(getDeskPosts.all(id)).filter((postTs) => postTs !== ts);
    return [{ channel, ts }, ...[...new Set(posted)].map((postTs) => ({ channel, ts: postTs }))];
  }

  /** Removes one conversation and everything that references it; joins the caller's transaction. */
  function removeConversation(id: number): RemovedCounts {
    const counts = none();
    removeOne.media.run(id);
    counts.messages = removeOne.messages.run(id).changes + removeOne.webEvents.run(id).changes;
    removeOne.phoneNotices.run(id);
    counts.processedInbound = removeOne.processedInbound.run(id).changes;
    counts.outbox = removeOne.outbox.run(id).changes;
    counts.deskThreads = removeOne.deskThreads.run(id).changes;
    counts.conversations = removeOne.conversations.run(id).changes;
    return counts;
  }

  const sweepBatch = db.transaction((before: number): { removed: RemovedCounts; done: boolean } => {
    const batch = ids.parse(expired.all({ before, limit: BATCH }));
    const removed = batch.map(removeConversation).reduce(add, none());
    return { removed, done: batch.length < BATCH };
  });
  const sweepLogs = db.transaction((before: number): RemovedCounts => ({
    ...none(),
    processedInbound: oldProcessed.run(before).changes,
    advisorMessages: oldAdvisorMessages.run(before).changes,
    outbox: oldOutbox.run(before).changes,
  }));

  const exportTx = db.transaction((id: number) => {
    const row = getRecord.get(id);
    if (row === undefined) return null;
    const thread = getDeskThread.get(id);
    return {
      conversation: parseRecordRow(row),
      transcript: getTranscript(id),
      outbox: parseOutboxRows(getOutbox.all(id)),
      deskThread: thread === undefined ? null : deskRow.parse(thread),
    };
  });

  const eraseTx = db.transaction((id: number) => {
    const row = getSender.get(id);
    if (row === undefined) return null;
    const sender = senderRow.parse(row);
    const deskMessages = deskMessagesOf(id);
    const removed = removeConversation(id);
    return { removed, deskMessages, optOutKept: optOuts.isOptedOutNow(sender.channel, sender.participant) };
  });

  return {
    sweepRetention: async ({ conversationsBefore, logsBefore }) => {
      let total = none();
      for (let done = false; !done;) {
        const batch = sweepBatch.immediate(conversationsBefore);
        total = add(total, batch.removed);
        done = batch.done;
      }
      return add(total, sweepLogs.immediate(logsBefore));
    },
    exportConversation: async (id) => exportTx(id),
    eraseConversation: async (id) => eraseTx.immediate(id),
    isOptedOut: optOuts.isOptedOut,
  };
}
