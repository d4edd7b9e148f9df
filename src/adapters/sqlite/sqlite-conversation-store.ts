import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { InboundMessage } from '../../core/conversation.js';
import type { ConversationStore, Decide, Decision, ReceiveResult } from '../../core/ports.js';
import { runSqliteMigrations } from './sqlite-migrations.js';
import {
  parseMessageRow,
  parseProcessedRow,
  parseRecordRow,
  parseSavedRow,
  recordColumns,
  savedColumns,
} from './sqlite-rows.js';

export type SqliteConversationStore = ConversationStore;

function openDatabase(path: string): Database.Database {
  if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // FULL fsyncs the WAL on every commit: a reply is only sent after its commit, so an
  // acknowledged message must survive a crash or power cut, not just a process kill.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

function summaryParams(decision: Decision, receivedAt: number) {
  const { summary } = decision;
  return {
    status: summary.status,
    awaiting: summary.awaiting,
    answers: JSON.stringify(summary.answers),
    verdict: summary.verdict,
    flags: JSON.stringify(summary.flags),
    snapshot: JSON.stringify(decision.snapshot),
    machineVersion: decision.machineVersion,
    now: receivedAt,
  };
}

type SummaryParams = ReturnType<typeof summaryParams>;

export function createSqliteConversationStore(path: string): SqliteConversationStore {
  const db = openDatabase(path);
  try {
    runSqliteMigrations(db);
  } catch (error) {
    db.close();
    throw error;
  }

  const findProcessed = db.prepare<[string, string]>(
    'SELECT conversation_id, replies FROM processed_inbound WHERE provider = ? AND external_id = ?',
  );
  // The latest conversation for the key that is not closed; both lookups must pick the same row.
  const openWhere = `WHERE channel = ? AND conversation_key = ? AND status != 'closed' ORDER BY id DESC LIMIT 1`;
  const findOpenSaved = db.prepare<[string, string]>(`SELECT ${savedColumns} FROM conversations ${openWhere}`);
  const findOpenRecord = db.prepare<[string, string]>(`SELECT ${recordColumns} FROM conversations ${openWhere}`);
  const insertConversation = db.prepare<
    SummaryParams & { channel: string; conversationKey: string; participant: string }
  >(
    `INSERT INTO conversations (channel, conversation_key, participant, status, awaiting, answers, verdict, flags,
       snapshot, machine_version, version, created_at, updated_at)
     VALUES (@channel, @conversationKey, @participant, @status, @awaiting, @answers, @verdict, @flags,
       @snapshot, @machineVersion, 1, @now, @now)`,
  );
  const updateConversation = db.prepare<SummaryParams & { id: number; version: number }>(
    `UPDATE conversations SET status = @status, awaiting = @awaiting, answers = @answers, verdict = @verdict,
       flags = @flags, snapshot = @snapshot, machine_version = @machineVersion, version = version + 1,
       updated_at = @now
     WHERE id = @id AND version = @version`,
  );
  const insertMessage = db.prepare<[number, number, 'in' | 'out', 'user' | 'bot', string, string | null]>(
    `INSERT INTO messages (conversation_id, at, direction, author, text, external_id) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const insertProcessed = db.prepare<[string, string, number, number, string]>(
    `INSERT INTO processed_inbound (provider, external_id, conversation_id, received_at, replies)
     VALUES (?, ?, ?, ?, ?)`,
  );
  const listConversations = db.prepare<{ channel: string | null; participant: string | null; status: string | null }>(
    `SELECT ${recordColumns} FROM conversations
     WHERE (@channel IS NULL OR channel = @channel) AND (@participant IS NULL OR participant = @participant)
       AND (@status IS NULL OR status = @status)
     ORDER BY updated_at DESC, id DESC`,
  );
  const getConversation = db.prepare<[number]>(`SELECT ${recordColumns} FROM conversations WHERE id = ?`);
  const getTranscript = db.prepare<[number]>(
    'SELECT at, direction, author, text FROM messages WHERE conversation_id = ? ORDER BY id',
  );
  const selectOne = db.prepare('SELECT 1');

  // decide runs inside the transaction, so a throw anywhere rolls back everything this message did.
  const receiveTx = db.transaction((message: InboundMessage, decide: Decide): ReceiveResult => {
    const processed = findProcessed.get(message.provider, message.externalId);
    if (processed !== undefined) return { ...parseProcessedRow(processed), duplicate: true };

    const openRow = findOpenSaved.get(message.channel, message.conversationKey);
    const open = openRow === undefined ? null : parseSavedRow(openRow);
    const decision = decide(open === null ? null : open.saved);
    const params = summaryParams(decision, message.receivedAt);

    let conversationId: number;
    if (open === null) {
      // The first sender names the conversation; later senders in the same thread do not change it.
      const info = insertConversation.run({
        ...params,
        channel: message.channel,
        conversationKey: message.conversationKey,
        participant: message.participant,
      });
      conversationId = Number(info.lastInsertRowid);
    } else {
      conversationId = open.saved.id;
      const info = updateConversation.run({ ...params, id: conversationId, version: open.version });
      if (info.changes !== 1) throw new Error(`conversation ${conversationId} changed concurrently`);
    }

    const at = message.receivedAt;
    insertMessage.run(conversationId, at, 'in', 'user', message.text, message.externalId);
    for (const reply of decision.replies) insertMessage.run(conversationId, at, 'out', 'bot', reply, null);
    const replies = [...decision.replies];
    insertProcessed.run(message.provider, message.externalId, conversationId, at, JSON.stringify(replies));
    return { conversationId, replies, duplicate: false };
  });

  // One read transaction so another process cannot commit between the record and its transcript.
  const getTx = db.transaction((id: number) => {
    const row = getConversation.get(id);
    if (row === undefined) return null;
    return { ...parseRecordRow(row), transcript: getTranscript.all(id).map(parseMessageRow) };
  });

  return {
    // Immediate: take the write lock before reading, so two processes cannot decide on the same saved state.
    receive: async (message, decide) => receiveTx.immediate(message, decide),
    list: async (filter) =>
      listConversations
        .all({ channel: filter.channel ?? null, participant: filter.participant ?? null, status: filter.status ?? null })
        .map(parseRecordRow),
    get: async (id) => getTx(id),
    findOpen: async (channel, conversationKey) => {
      const row = findOpenRecord.get(channel, conversationKey);
      return row === undefined ? null : parseRecordRow(row);
    },
    ping: async () => {
      selectOne.get();
    },
    close: async () => {
      db.close();
    },
  };
}
