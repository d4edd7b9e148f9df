import type pg from 'pg';
import { z } from 'zod';
import type { InboundMessage } from '../../core/conversation.js';
import type {
  AdvisorLog,
  Decide,
  Decision,
  DecideUpdate,
  HeldTextStore,
  MediaStore,
  Received,
  SavedConversation,
  Updated,
  WebStore,
} from '../../core/ports.js';
import { appendLines, applyExtras, createConversation, saveConversation } from './postgres-decision-writes.js';
import { POSTGRES_SCHEMA_VERSION, runPostgresMigrations } from './postgres-migrations.js';
import { createPostgresOutbox, dropHeld, heldTexts } from './postgres-outbox.js';
import { createPostgresPipeline } from './postgres-pipeline.js';
import { createPostgresWebChat } from './postgres-web-chat.js';
import { createPostgresPool, inTransaction, lockConversation, pgJson, queryRows } from './postgres-pool.js';
import type { PostgresPoolOptions, Queryable } from './postgres-pool.js';
import { createPostgresDeskThreads, createPostgresReads } from './postgres-reads.js';
import { createPostgresMedia } from './postgres-media.js';
import { createPostgresRetention, isOptedOutIn } from './postgres-retention.js';
import { appendMedia } from './postgres-transcript.js';
import { startsOver } from '../../core/step-conversation.js';
import {
  forUpdateColumns,
  openConversationSql,
  parseForUpdateRow,
  parseProcessedRow,
  parseRecordRow,
  parseSavedRow,
  recordColumns,
  savedColumns,
} from './postgres-rows.js';

/** Where the schema stands, for /readyz. */
type MigrationState =
  | { state: 'running'; expected: number }
  | { state: 'done'; version: number; expected: number }
  | { state: 'failed'; expected: number; error: string };

export interface PostgresStore extends WebStore, MediaStore, HeldTextStore {
  /**
   * Resolves once the migrations ran; rejects if this attempt failed (a later call tries again,
   * so a database that was down at start-up is migrated once it is back).
   */
  ready(): Promise<void>;
  migrations(): MigrationState;
}

const keyRow = z.object({ channel: z.string(), conversation_key: z.string() });
const answerRow = z.object({ answer: z.string().nullable() });

/** The saved conversation as a decide sees it: with its texts still held for quiet hours, if any. */
async function withHeld<S extends SavedConversation>(tx: Queryable, saved: S): Promise<S> {
  const held = await heldTexts(tx, saved.id);
  return held.length === 0 ? saved : { ...saved, held };
}

async function receiveInTx<D extends Decision>(
  tx: Queryable,
  message: InboundMessage,
  decide: Decide<D>,
): Promise<Received<D>> {
  // The lock first, then every read: each statement sees what the previous holder committed.
  await lockConversation(tx, message.channel, message.conversationKey);
  const [processed] = (
    await tx.query('SELECT conversation_id, replies FROM processed_inbound WHERE provider = $1 AND external_id = $2', [
      message.provider,
      message.externalId,
    ])
  ).rows;
  if (processed !== undefined) return { ...parseProcessedRow(processed), duplicate: true, decision: null };

  // FOR UPDATE: a sweep or erasure deleting it is waited for, and then it is gone.
  const [openRow] = (
    await tx.query(`${openConversationSql(savedColumns)} FOR UPDATE`, [message.channel, message.conversationKey])
  ).rows;
  const open = openRow === undefined ? null : parseSavedRow(openRow);
  const saved = open === null ? null : await withHeld(tx, open.saved);
  // decide is synchronous: the sender's kept opt-out, which it reads only when the conversation
  // starts over, is read beforehand in this transaction, and only then.
  const optedOut = startsOver(saved) && (await isOptedOutIn(tx, message.channel, message.participant));
  const decision = decide(saved, () => optedOut);
  const at = message.receivedAt;
  let conversationId: number;
  if (open === null) {
    conversationId = await createConversation(tx, message, decision);
  } else {
    conversationId = open.saved.id;
    await saveConversation(tx, conversationId, open.version, decision, at);
  }
  const [inbound] = await appendLines(tx, conversationId, [
    { at, direction: 'in', author: 'user', text: message.text, externalId: message.externalId },
    ...decision.replies.map((text) => ({ at, direction: 'out' as const, author: 'bot' as const, text })),
  ]);
  if (message.media !== undefined && inbound !== undefined) {
    await appendMedia(tx, conversationId, inbound, message.media, at);
  }
  await applyExtras(tx, conversationId, decision, at);
  // The held texts this turn moved past (never one it queued itself), and where the number is.
  await dropHeld(tx, conversationId, decision.dropHeld ?? []);
  if (message.region !== undefined) {
    await tx.query('UPDATE conversations SET region = $2 WHERE id = $1', [conversationId, message.region]);
  }
  const replies = [...decision.replies];
  // The primary key is the dedupe across instances: a retry of this id that raced past the check
  // above (under another conversation's lock) fails here, and its transaction is run again.
  await tx.query(
    `INSERT INTO processed_inbound (provider, external_id, conversation_id, received_at, replies) VALUES ($1, $2, $3, $4, $5::jsonb)`,
    [message.provider, message.externalId, conversationId, at, pgJson(replies)],
  );
  return { conversationId, replies, duplicate: false, decision };
}

async function updateInTx<T>(
  tx: Queryable,
  id: number,
  decide: DecideUpdate<T>,
  now: number,
): Promise<Updated<T> | null> {
  const [keyed] = (await tx.query('SELECT channel, conversation_key FROM conversations WHERE id = $1', [id])).rows;
  if (keyed === undefined) return null;
  const key = keyRow.parse(keyed);
  await lockConversation(tx, key.channel, key.conversation_key);
  const [row] = (await tx.query(`SELECT ${forUpdateColumns} FROM conversations WHERE id = $1 FOR UPDATE`, [id])).rows;
  if (row === undefined) return null;
  const { saved, version } = parseForUpdateRow(row);
  const { decision, result } = decide(await withHeld(tx, saved));
  if (decision === null) return { record: saved.record, result };
  await saveConversation(tx, id, version, decision, now);
  await dropHeld(tx, id, decision.dropHeld ?? []);
  await applyExtras(tx, id, decision, now);
  const [after] = (await tx.query(`SELECT ${recordColumns} FROM conversations WHERE id = $1`, [id])).rows;
  return { record: parseRecordRow(after), result };
}

function createAdvisorLog(pool: pg.Pool, ready: () => Promise<void>): AdvisorLog {
  const rows = async (sql: string, params: unknown[]) => {
    await ready();
    return queryRows(pool, sql, params);
  };
  return {
    async onceForAdvisor(provider, externalId, now, work) {
      // The insert commits before work runs: a retry on any instance finds it and does not run work again.
      const claimed = await rows(
        `INSERT INTO advisor_messages (provider, external_id, received_at) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING 1`,
        [provider, externalId, now],
      );
      if (claimed.length === 0) {
        const [row] = await rows('SELECT answer FROM advisor_messages WHERE provider = $1 AND external_id = $2', [
          provider,
          externalId,
        ]);
        return { answer: row === undefined ? null : answerRow.parse(row).answer, repeated: true };
      }
      let result: string;
      try {
        result = await work();
      } catch (error) {
        await rows('DELETE FROM advisor_messages WHERE provider = $1 AND external_id = $2', [provider, externalId]);
        throw error;
      }
      await rows('UPDATE advisor_messages SET answer = $3 WHERE provider = $1 AND external_id = $2', [
        provider,
        externalId,
        result,
      ]);
      return { answer: result, repeated: false };
    },
  };
}

/**
 * Every capability of the store in one PostgreSQL database (the schema the URL's search_path
 * names, `public` by default), safe for any number of instances sharing it. Migrations start at
 * once, under an advisory lock; every call waits for them.
 */
export function createPostgresStore(options: PostgresPoolOptions): PostgresStore {
  const pool = createPostgresPool(options);
  let migration: MigrationState = { state: 'running', expected: POSTGRES_SCHEMA_VERSION };
  let running: Promise<void> | null = null;
  let done = false;
  function ready(): Promise<void> {
    if (done) return Promise.resolve();
    running ??= runPostgresMigrations(pool).then(
      (version) => {
        done = true;
        migration = { state: 'done', version, expected: POSTGRES_SCHEMA_VERSION };
      },
      (error: unknown) => {
        running = null;
        migration = {
          state: 'failed',
          expected: POSTGRES_SCHEMA_VERSION,
          error: error instanceof Error ? error.message : String(error),
        };
        throw error;
      },
    );
    return running;
  }
  // At once, not on the first request; a failure is reported by /readyz and retried by the next call.
  ready().catch((error: unknown) => {
    options.log?.error({ err: error }, 'PostgreSQL migrations did not run; they are tried again on the next request');
  });

  return {
    ready,
    migrations: () => migration,
    ...createPostgresReads(pool, ready),
    ...createPostgresOutbox(pool, ready),
    ...createPostgresDeskThreads(pool, ready),
    ...createAdvisorLog(pool, ready),
    ...createPostgresRetention(pool, ready),
    ...createPostgresPipeline(pool, ready),
    ...createPostgresWebChat(pool, ready),
    ...createPostgresMedia(pool, ready),
    receive: async (message, decide) => {
      await ready();
      return inTransaction(pool, (tx) => receiveInTx(tx, message, decide));
    },
    update: async (id, decide, now) => {
      await ready();
      return inTransaction(pool, (tx) => updateInTx(tx, id, decide, now));
    },
    ping: async () => {
      await queryRows(pool, 'SELECT 1');
      await ready();
    },
    close: async () => {
      await running?.catch(() => undefined);
      await pool.end();
    },
  };
}
