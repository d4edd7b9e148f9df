import type pg from 'pg';
import { z } from 'zod';
import type { PhoneNoticeQuota, WebChatStore } from '../../core/ports.js';
import { WEB_AUTHORS, WebLineSchema, type WebEvent } from '../../core/web-chat.js';
import { inTransaction, pgJson, queryRows } from './postgres-pool.js';
import { epochMs } from './postgres-rows.js';

const HOUR_MS = 60 * 60_000;

const eventRow = z.object({
  id: z.number().int(),
  conversation_id: z.number().int(),
  message_id: z.string().nullable(),
  at: epochMs,
  author: z.enum(WEB_AUTHORS),
  line: WebLineSchema,
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

const byId = (events: WebEvent[]) => events.sort((a, b) => a.id - b.id);
const secretRow = z.object({ value: z.string() });
const countRow = z.object({ n: z.number().int() });

/**
 * The web chat's session histories, its session secret and the cap on PJ's phone notices, safe
 * for several instances: a session's lines are appended under a lock of that session, so their ids
 * are taken and committed in the same order and a reader following "ids above the last one seen"
 * never steps over a line committed late.
 */
export function createPostgresWebChat(pool: pg.Pool, ready: () => Promise<void>): WebChatStore & PhoneNoticeQuota {
  const rows = async (sql: string, params: unknown[]) => {
    await ready();
    return queryRows(pool, sql, params);
  };
  return {
    appendWebEvents: async (session, conversationId, drafts, now) => {
      await ready();
      if (drafts.length === 0) return [];
      return inTransaction(pool, async (tx) => {
        await tx.query("SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':web-session:' || $1, 0))", [
          session,
        ]);
        const params: unknown[] = [session, conversationId, now];
        const values = drafts.map((draft) => {
          const at = params.length;
          params.push(draft.messageId, draft.from, pgJson(draft.line));
          return `($1, $2, $${at + 1}, $3, $${at + 2}, $${at + 3}::jsonb)`;
        });
        const inserted = await tx.query(
          `INSERT INTO web_events (session, conversation_id, message_id, at, author, line) VALUES ${values.join(', ')}
           RETURNING ${eventColumns}`,
          params,
        );
        return byId(inserted.rows.map(parseEventRow));
      });
    },
    listWebEvents: async (session, after, limit) =>
      (
        await rows(`SELECT ${eventColumns} FROM web_events WHERE session = $1 AND id > $2 ORDER BY id LIMIT $3`, [
          session,
          after,
          limit,
        ])
      ).map(parseEventRow),
    webEventsForMessage: async (session, messageId) =>
      (
        await rows(`SELECT ${eventColumns} FROM web_events WHERE session = $1 AND message_id = $2 ORDER BY id`, [
          session,
          messageId,
        ])
      ).map(parseEventRow),
    // One statement: row locks make a second instance's update skip what this one marked, so no line is handed back twice.
    markWebSeen: async (session, through, now) =>
      byId(
        (
          await rows(
            `UPDATE web_events SET seen_at = $3 WHERE session = $1 AND id <= $2 AND seen_at IS NULL RETURNING ${eventColumns}`,
            [session, through, now],
          )
        ).map(parseEventRow),
      ).filter((event) => event.from !== 'visitor'),
    webSessionSecret: async (candidate) => {
      await rows("INSERT INTO bot_secrets (name, value) VALUES ('web_session', $1) ON CONFLICT (name) DO NOTHING", [
        candidate,
      ]);
      const [row] = await rows("SELECT value FROM bot_secrets WHERE name = 'web_session'", []);
      return secretRow.parse(row).value;
    },
    reservePhoneNotice: async (conversationId, now, perHour) => {
      await ready();
      // One lock for the quota: the hour's count and the insert are one decision across instances.
      return inTransaction(pool, async (tx) => {
        await tx.query("SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':phone-notices', 0))");
        const taken = await tx.query('SELECT 1 FROM phone_notices WHERE conversation_id = $1', [conversationId]);
        if (taken.rows.length > 0) return false;
        const recent = countRow.parse(
          (await tx.query('SELECT count(*)::int AS n FROM phone_notices WHERE at > $1', [now - HOUR_MS])).rows[0],
        );
        if (recent.n >= perHour) return false;
        await tx.query('INSERT INTO phone_notices (conversation_id, at) VALUES ($1, $2)', [conversationId, now]);
        return true;
      });
    },
    releasePhoneNotice: async (conversationId) => {
      await rows('DELETE FROM phone_notices WHERE conversation_id = $1', [conversationId]);
    },
  };
}
