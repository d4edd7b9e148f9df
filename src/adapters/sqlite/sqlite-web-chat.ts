import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { PhoneNoticeQuota, WebChatStore } from '../../core/ports.js';
import { WEB_AUTHORS, WebLineSchema, type WebEvent, type WebEventDraft } from '../../core/web-chat.js';
import { epochMs, jsonText } from './sqlite-rows.js';

const HOUR_MS = 60 * 60_000;

const eventRow = z.object({
  id: z.number().int(),
  conversation_id: z.number().int(),
  message_id: z.string().nullable(),
  at: epochMs,
  author: z.enum(WEB_AUTHORS),
  line: jsonText(WebLineSchema),
  seen_at: epochMs.nullable(),
});

const eventColumns = 'id, conversation_id, message_id, at, author, line, seen_at';

function parseEventRow(row: unknown): WebEvent {
  const r = eventRow.parse(row);
  return {
    id: r.id,
    conversationId: r.conversation_id,
    messageId: r.message_id,
    at: r.at,
    from: r.author,
    line: r.line,
    seenAt: r.seen_at,
  };
}

/** The web chat's session histories, its session secret, and the cap on PJ's phone notices. */
export function createSqliteWebChat(db: Database.Database): WebChatStore & PhoneNoticeQuota {
  const insert = db.prepare<[string, number, string | null, number, string, string]>(
    `INSERT INTO web_events (session, conversation_id, message_id, at, author, line) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const byId = db.prepare<[number]>(`SELECT ${eventColumns} FROM web_events WHERE id = ?`);
  const after = db.prepare<[string, number, number]>(
    `SELECT ${eventColumns} FROM web_events WHERE session = ? AND id > ? ORDER BY id LIMIT ?`,
  );
  const forMessage = db.prepare<[string, string]>(
    `SELECT ${eventColumns} FROM web_events WHERE session = ? AND message_id = ? ORDER BY id`,
  );
  const unseen = db.prepare<[string, number]>(
    `SELECT ${eventColumns} FROM web_events WHERE session = ? AND id <= ? AND seen_at IS NULL ORDER BY id`,
  );
  const markSeen = db.prepare<[number, string, number]>(
    'UPDATE web_events SET seen_at = ? WHERE session = ? AND id <= ? AND seen_at IS NULL',
  );
  const addSecret = db.prepare<[string]>(
    "INSERT INTO bot_secrets (name, value) VALUES ('web_session', ?) ON CONFLICT (name) DO NOTHING",
  );
  const getSecret = db.prepare("SELECT value FROM bot_secrets WHERE name = 'web_session'").pluck();
  const takenFor = db.prepare<[number]>('SELECT 1 FROM phone_notices WHERE conversation_id = ?');
  const takenSince = db.prepare<[number]>('SELECT count(*) FROM phone_notices WHERE at > ?').pluck();
  const take = db.prepare<[number, number]>('INSERT INTO phone_notices (conversation_id, at) VALUES (?, ?)');
  const give = db.prepare<[number]>('DELETE FROM phone_notices WHERE conversation_id = ?');

  const appendTx = db.transaction((session: string, conversationId: number, drafts: WebEventDraft[], now: number) =>
    drafts.map((draft) => {
      const { lastInsertRowid } = insert.run(
        session,
        conversationId,
        draft.messageId,
        now,
        draft.from,
        JSON.stringify(draft.line),
      );
      return parseEventRow(byId.get(Number(lastInsertRowid)));
    }),
  );
  const seenTx = db.transaction((session: string, through: number, now: number) => {
    const newly = unseen.all(session, through).map(parseEventRow);
    markSeen.run(now, session, through);
    return newly.filter((event) => event.from !== 'visitor').map((event) => ({ ...event, seenAt: now }));
  });
  const reserveTx = db.transaction((conversationId: number, now: number, perHour: number) => {
    if (takenFor.get(conversationId) !== undefined) return false;
    if (z.number().parse(takenSince.get(now - HOUR_MS)) >= perHour) return false;
    take.run(conversationId, now);
    return true;
  });

  return {
    appendWebEvents: async (session, conversationId, drafts, now) =>
      appendTx.immediate(session, conversationId, drafts, now),
    listWebEvents: async (session, afterId, limit) => after.all(session, afterId, limit).map(parseEventRow),
    webEventsForMessage: async (session, messageId) => forMessage.all(session, messageId).map(parseEventRow),
    markWebSeen: async (session, through, now) => seenTx.immediate(session, through, now),
    webSessionSecret: async (candidate) => {
      addSecret.run(candidate);
      return z.string().parse(getSecret.get());
    },
    reservePhoneNotice: async (conversationId, now, perHour) => reserveTx.immediate(conversationId, now, perHour),
    releasePhoneNotice: async (conversationId) => {
      give.run(conversationId);
    },
  };
}
