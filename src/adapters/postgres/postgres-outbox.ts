import type pg from 'pg';
import type { HeldText, HeldTextStore, OutboxDraft, OutboxStore } from '../../core/ports.js';
import { draftColumns, outboxColumns, parseOutboxRow, parseOutboxRows } from './postgres-outbox-rows.js';
import { inTransaction, lockConversation, queryRows } from './postgres-pool.js';
import type { Queryable } from './postgres-pool.js';
import { z } from 'zod';

/**
 * Inserts `drafts` in order as pending items due at `now`, a held one (notBefore) when the
 * client's window opens; joins the caller's transaction.
 */
export type InsertDrafts = (
  tx: Queryable,
  conversationId: number,
  drafts: readonly OutboxDraft[],
  now: number,
) => Promise<void>;

export const insertDrafts: InsertDrafts = async (tx, conversationId, drafts, now) => {
  if (drafts.length === 0) return;
  const params: unknown[] = [conversationId, now];
  const rows = drafts.map((draft) => {
    const at = params.length;
    const notBefore = draft.notBefore ?? null;
    params.push(...draftColumns(draft), Math.max(now, notBefore ?? now), notBefore);
    return `($1, $${at + 1}::jsonb, $${at + 2}, $${at + 3}::jsonb, 'pending', 0, $${at + 4}, $${at + 5}::bigint, $2, $2)`;
  });
  // One statement, rows in order: identity values follow the VALUES order.
  await tx.query(
    `INSERT INTO outbox (conversation_id, destination, destination_key, payload, status, attempts, next_attempt_at,
       not_before, created_at, updated_at)
     VALUES ${rows.join(', ')}`,
    params,
  );
};

const keyRow = z.object({ channel: z.string(), conversation_key: z.string() });
const backlogRow = z.object({ unsent: z.number().int(), oldest: z.number().int().nullable() });
const heldRow = z.object({
  id: z.number().int(),
  payload: z.object({ text: z.string() }),
  not_before: z.number().int(),
});

/** The conversation's texts to the client still held for quiet hours, oldest first; joins the caller's transaction. */
export async function heldTexts(tx: Queryable, conversationId: number): Promise<HeldText[]> {
  const { rows } = await tx.query(
    `SELECT id, payload, not_before FROM outbox
     WHERE conversation_id = $1 AND destination_key = 'client' AND status = 'pending' AND not_before IS NOT NULL
     ORDER BY id`,
    [conversationId],
  );
  return rows.map((row) => {
    const r = heldRow.parse(row);
    return { id: r.id, text: r.payload.text, notBefore: r.not_before };
  });
}

/**
 * Removes the conversation's held texts `ids` that are still pending; one a worker claimed since
 * is left to go (its row lock makes this re-check it). Joins the caller's transaction.
 */
export async function dropHeld(tx: Queryable, conversationId: number, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.query(
    `DELETE FROM outbox
     WHERE id = ANY($1::bigint[]) AND conversation_id = $2 AND status = 'pending' AND not_before IS NOT NULL`,
    [ids, conversationId],
  );
}

// Oldest due first, only the head of each recipient's queue: an item is skipped while an earlier
// one for the same conversation and destination is pending (even if not due yet: a retry keeps its
// place) or being sent; a text held for the client's quiet hours keeps no place until it is due,
// so later ones go ahead of it. SKIP LOCKED: another instance's claim in flight is passed over, not waited
// on. o.status is checked on the locked row itself, so a row another instance claimed and
// committed since this statement's snapshot is re-checked and dropped.
const CLAIM = `
  WITH claimable AS (
    SELECT o.id FROM outbox AS o
    WHERE o.status = 'pending' AND o.next_attempt_at <= $1
      AND NOT EXISTS (
        SELECT 1 FROM outbox AS earlier
        WHERE earlier.conversation_id = o.conversation_id AND earlier.destination_key = o.destination_key
          AND earlier.id < o.id AND earlier.status IN ('pending', 'sending')
          AND NOT (earlier.status = 'pending' AND earlier.not_before IS NOT NULL AND earlier.next_attempt_at > $1))
    ORDER BY o.id
    LIMIT $3
    FOR UPDATE OF o SKIP LOCKED)
  UPDATE outbox SET status = 'sending', claimed_until = $2, attempts = attempts + 1, updated_at = $1
  FROM claimable WHERE outbox.id = claimable.id AND outbox.status = 'pending'
  RETURNING ${outboxColumns
    .split(', ')
    .map((c) => `outbox.${c}`)
    .join(', ')}`;

export function createPostgresOutbox(pool: pg.Pool, ready: () => Promise<void>): OutboxStore & HeldTextStore {
  const rows = async (sql: string, params: unknown[]) => {
    await ready();
    return queryRows(pool, sql, params);
  };
  return {
    claimOutbox: async (now, leaseMs, limit) =>
      limit > 0 ? parseOutboxRows(await rows(CLAIM, [now, now + leaseMs, limit])) : [],
    markOutboxSent: async (id, providerId, now) => {
      await rows(
        `UPDATE outbox SET status = 'sent', provider_id = $2, claimed_until = NULL, updated_at = $3 WHERE id = $1`,
        [id, providerId, now],
      );
    },
    retryOutbox: async (id, nextAttemptAt, error, now) => {
      await rows(
        `UPDATE outbox SET status = 'pending', next_attempt_at = $2, error = $3, claimed_until = NULL, updated_at = $4
         WHERE id = $1`,
        [id, nextAttemptAt, error, now],
      );
    },
    failOutbox: async (id, error, now) => {
      await rows(
        `UPDATE outbox SET status = 'failed', error = $2, claimed_until = NULL, updated_at = $3 WHERE id = $1`,
        [id, error, now],
      );
    },
    // Row locks make a second instance's UPDATE re-check each row: every lost item is returned once.
    expireOutbox: async (now) =>
      parseOutboxRows(
        await rows(
          `UPDATE outbox SET status = 'unknown', updated_at = $1
           WHERE status = 'sending' AND claimed_until <= $1
           RETURNING ${outboxColumns}`,
          [now],
        ),
      ),
    recordDelivery: async (providerId, status, errorCode, now) => {
      // provider_id is not unique (a Slack ts is unique only within its channel): the latest item meant.
      const [row] = await rows(
        `UPDATE outbox SET delivery_status = $2, error = coalesce($3, error), updated_at = $4
         WHERE id = (SELECT id FROM outbox WHERE provider_id = $1 ORDER BY id DESC LIMIT 1)
         RETURNING ${outboxColumns}`,
        [providerId, status, errorCode, now],
      );
      return row === undefined ? null : parseOutboxRow(row);
    },
    // Back to pending unsent, its try not counted, held until the client's window opens.
    holdOutbox: async (id, notBefore, now) => {
      await rows(
        `UPDATE outbox SET status = 'pending', attempts = greatest(attempts - 1, 0), next_attempt_at = $2,
           not_before = $2, claimed_until = NULL, updated_at = $3
         WHERE id = $1 AND status = 'sending'`,
        [id, notBefore, now],
      );
    },
    outboxBacklog: async (now) => {
      const [row] = await rows(
        `SELECT count(*)::integer AS unsent,
           min(CASE WHEN status = 'pending' AND not_before IS NOT NULL AND next_attempt_at > $1 THEN NULL
               ELSE created_at END) AS oldest
         FROM outbox WHERE status IN ('pending', 'sending')`,
        [now],
      );
      const { unsent, oldest } = backlogRow.parse(row);
      return { unsent, oldestQueuedAt: oldest };
    },
    enqueueOutbox: async (conversationId, drafts, now) => {
      await ready();
      await inTransaction(pool, async (tx) => {
        const [row] = (
          await tx.query('SELECT channel, conversation_key FROM conversations WHERE id = $1', [conversationId])
        ).rows;
        if (row === undefined) throw new Error(`conversation ${conversationId} not found: outbox items refused`);
        // Under the conversation's lock, as every other writer of its outbox: ids follow commit order.
        const key = keyRow.parse(row);
        await lockConversation(tx, key.channel, key.conversation_key);
        await insertDrafts(tx, conversationId, drafts, now);
      });
    },
  };
}
