import type { InboundMessage } from '../../core/conversation.js';
import type {
  Decide,
  Decision,
  DecideUpdate,
  HeldTextStore,
  InboundPeek,
  MediaStore,
  PeekedInbound,
  Received,
  SavedConversation,
  Updated,
  WebStore,
} from '../../core/ports.js';
import { startsOver } from '../../core/step-conversation.js';
import { startCheckpointer, type CheckpointerOptions } from './sqlite-checkpointer.js';
import { createSqliteConversationReads } from './sqlite-conversation-reads.js';
import { isFileDatabase, openSqliteDatabase } from './sqlite-database.js';
import { createDecisionWriter } from './sqlite-decision-writes.js';
import { createGroupCommit } from './sqlite-group-commit.js';
import { createReadBatch } from './sqlite-read-batch.js';
import { createReceiveStatements } from './sqlite-receive-statements.js';
import { createSqliteDeskThreads } from './sqlite-desk-threads.js';
import { createSqliteMedia } from './sqlite-media.js';
import { createSqliteAdvisorMessages } from './sqlite-advisor-messages.js';
import { runSqliteMigrations } from './sqlite-migrations.js';
import { createSqliteOptOuts } from './sqlite-opt-outs.js';
import { createSqliteOutbox } from './sqlite-outbox.js';
import { createSqlitePipeline } from './sqlite-pipeline.js';
import { createSqliteRetention } from './sqlite-retention.js';
import { createSqliteWebChat } from './sqlite-web-chat.js';
import { forUpdateColumns, parseForUpdateRow, parseRecordRow, recordColumns } from './sqlite-rows.js';

/**
 * Every capability of the store, the web chat's, attachments' and held texts' included, in one
 * SQLite database file (or `:memory:`). `onBatch` hears the size of each group commit (/metrics);
 * `checkpoints` tunes the checkpoint thread a busy file gets (sqlite-checkpointer.ts).
 */
export function createSqliteConversationStore(
  path: string,
  options: { onBatch?: (size: number) => void; checkpoints?: CheckpointerOptions } = {},
): WebStore & MediaStore & HeldTextStore & InboundPeek {
  const db = openSqliteDatabase(path);
  try {
    runSqliteMigrations(db);
  } catch (error) {
    db.close();
    throw error;
  }

  const reads = createSqliteConversationReads(db);
  const outbox = createSqliteOutbox(db);
  const deskThreads = createSqliteDeskThreads(db);
  const advisorMessages = createSqliteAdvisorMessages(db);
  const optOuts = createSqliteOptOuts(db);
  const retention = createSqliteRetention(db, optOuts);
  const write = createDecisionWriter(db, outbox.insertDrafts, optOuts.keep);

  const statements = createReceiveStatements(db);
  const getForUpdate = db.prepare<[number]>(`SELECT ${forUpdateColumns} FROM conversations WHERE id = ?`);
  const getRecord = db.prepare<[number]>(`SELECT ${recordColumns} FROM conversations WHERE id = ?`);
  const selectOne = db.prepare('SELECT 1');

  /** The saved conversation as a decide sees it: with its texts still held for quiet hours, if any. */
  function withHeld<S extends SavedConversation>(saved: S): S {
    const held = outbox.heldTexts(saved.id);
    return held.length === 0 ? saved : { ...saved, held };
  }

  // What each message's peek read, until its receive: the receive then reads only the row's id and
  // version (and the held texts), and hands the decide the peeked row when neither changed, instead
  // of reading and parsing the whole row again (issue 11). Keyed by the message object, which the
  // caller hands to both; a receive without a peek reads everything.
  const peeked = new WeakMap<InboundMessage, { saved: SavedConversation; version: number } | null>();

  /** The sender's open conversation now: the peeked row while it is at the version the peek saw (withHeld reads its held texts again). */
  function openNow(message: InboundMessage): { saved: SavedConversation; version: number } | null {
    const seen = peeked.get(message);
    peeked.delete(message);
    if (seen === undefined) return statements.open(message);
    const now = statements.openVersion(message);
    if (now === null && seen === null) return null;
    if (now === null || seen === null || now.id !== seen.saved.id || now.version !== seen.version) {
      return statements.open(message);
    }
    return seen;
  }

  // decide runs inside the transaction, so a throw anywhere rolls back everything this message did.
  // SQLite never retries it: the write lock is held from the first read to the commit.
  function receiveInTx<D extends Decision>(message: InboundMessage, decide: Decide<D>): Received<D> {
    const processed = statements.processed(message);
    if (processed !== undefined) return { ...processed, duplicate: true, decision: null };
    const open = openNow(message);
    const decision = decide(open === null ? null : withHeld(open.saved), () =>
      optOuts.isOptedOutNow(message.channel, message.participant),
    );
    const conversationId = statements.write(message, decision, open && { id: open.saved.id, version: open.version });
    // The held texts this turn moved past (never one it queued itself).
    outbox.dropHeld(conversationId, decision.dropHeld ?? []);
    return { conversationId, replies: [...decision.replies], duplicate: false, decision };
  }

  // What receiveInTx would decide on, read outside the write transaction (in a read one, see
  // below); the kept opt-out only where a decide reads it, when the conversation starts over.
  function peekInbound(message: InboundMessage): PeekedInbound {
    if (statements.processed(message) !== undefined) return { duplicate: true };
    const open = statements.open(message);
    peeked.set(message, open);
    const saved = open === null ? null : withHeld(open.saved);
    const optedOut = startsOver(saved) ? optOuts.isOptedOutNow(message.channel, message.participant) : null;
    return { duplicate: false, saved, optedOut };
  }

  // Any status, closed included: an advisor may still act on, or a timer fire for, a closed one.
  function updateInTx<T>(id: number, decide: DecideUpdate<T>, now: number): Updated<T> | null {
    const row = getForUpdate.get(id);
    if (row === undefined) return null;
    const { saved, version } = parseForUpdateRow(row);
    const { decision, result } = decide(withHeld(saved));
    if (decision === null) return { record: saved.record, result };
    // Replies are not written here: an update has no inbound to answer, so it sends through the outbox.
    write.save(id, version, decision, now);
    outbox.dropHeld(id, decision.dropHeld ?? []);
    write.applyExtras(id, decision, now);
    return { record: parseRecordRow(getRecord.get(id)), result };
  }

  // The peeks of one event-loop turn in one read transaction, which also makes them one consistent
  // state. Each statement on its own starts and ends a read transaction, with WAL locks (fcntl)
  // each time (issue 11): under load the main thread made 6.2 fcntl calls a text then, 2.2 with a
  // transaction per peek, and in paired rounds one per turn took its CPU a text from 209 to 192 µs.
  const peeks = createReadBatch(db, peekInbound);

  // Immediate: take the write lock before reading, so two processes cannot decide on the same saved
  // state. A transaction function per call keeps the caller's result type (better-sqlite3 caches the
  // statements behind it).
  const immediately = <R>(work: () => R): R => db.transaction(work).immediate();
  // Texts arriving together share one transaction and one fsync.
  const group = createGroupCommit(db, options);
  const checkpointer = isFileDatabase(path) ? startCheckpointer(db, path, options.checkpoints) : undefined;

  return {
    ...reads,
    ...outbox.methods,
    ...deskThreads,
    ...advisorMessages,
    ...retention,
    ...createSqlitePipeline(db),
    ...createSqliteWebChat(db),
    ...createSqliteMedia(db),
    receive: (message, decide) => group.run(() => receiveInTx(message, decide)),
    peekInbound: (message) => peeks.run(message),
    update: async (id, decide, now) => immediately(() => updateInTx(id, decide, now)),
    ping: async () => {
      selectOne.get();
    },
    close: async () => {
      await checkpointer?.close();
      db.close();
    },
  };
}
