import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { HeldText, HeldTextStore, OutboxDraft, OutboxStore } from '../../core/ports.js';
import { draftParams, outboxColumns, parseOutboxRow, parseOutboxRows } from './sqlite-outbox-rows.js';
import type { DraftParams } from './sqlite-outbox-rows.js';

/** Inserts `drafts` in order as pending items due at `now`; joins the caller's transaction. */
export type InsertDrafts = (conversationId: number, drafts: readonly OutboxDraft[], now: number) => void;

interface SqliteOutbox {
  methods: OutboxStore & HeldTextStore;
  insertDrafts: InsertDrafts;
  /** The conversation's texts to the client still held for quiet hours, oldest first; joins the caller's transaction. */
  heldTexts(conversationId: number): HeldText[];
  /** Removes the conversation's held texts `ids` that are still pending; joins the caller's transaction. */
  dropHeld(conversationId: number, ids: readonly number[]): void;
}

const ids = z.array(z.number().int());
const heldRow = z.object({ id: z.number().int(), payload: z.string(), not_before: z.number().int() });
const heldPayload = z.object({ text: z.string() });

export function createSqliteOutbox(db: Database.Database): SqliteOutbox {
  const insert = db.prepare<DraftParams>(
    `INSERT INTO outbox (conversation_id, destination, destination_key, payload, status, attempts, next_attempt_at,
       not_before, created_at, updated_at)
     VALUES (@conversationId, @destination, @destinationKey, @payload, 'pending', 0, @dueAt, @notBefore, @now, @now)`,
  );
  // Oldest due first, skipping any item queued behind an earlier one for the same recipient that
  // is still pending (even if not due yet: a retry keeps its place) or being sent. A text held for
  // the client's quiet hours keeps no place until it is due: later ones go ahead of it.
  const selectClaimable = db
    .prepare<{ now: number; limit: number }>(
      `SELECT id FROM outbox AS o
       WHERE o.status = 'pending' AND o.next_attempt_at <= @now
         AND NOT EXISTS (
           SELECT 1 FROM outbox AS earlier
           WHERE earlier.conversation_id = o.conversation_id AND earlier.destination_key = o.destination_key
             AND earlier.id < o.id AND earlier.status IN ('pending', 'sending')
             AND NOT (earlier.status = 'pending' AND earlier.not_before IS NOT NULL AND earlier.next_attempt_at > @now))
       ORDER BY o.id
       LIMIT @limit`,
    )
    .pluck();
  const claim = db.prepare<{ id: number; now: number; until: number }>(
    `UPDATE outbox SET status = 'sending', claimed_until = @until, attempts = attempts + 1, updated_at = @now
     WHERE id = @id AND status = 'pending'
     RETURNING ${outboxColumns}`,
  );
  const markSent = db.prepare<{ id: number; providerId: string; now: number }>(
    `UPDATE outbox SET status = 'sent', provider_id = @providerId, claimed_until = NULL, updated_at = @now
     WHERE id = @id`,
  );
  const retry = db.prepare<{ id: number; nextAttemptAt: number; error: string; now: number }>(
    `UPDATE outbox SET status = 'pending', next_attempt_at = @nextAttemptAt, error = @error, claimed_until = NULL,
       updated_at = @now
     WHERE id = @id`,
  );
  const fail = db.prepare<{ id: number; error: string; now: number }>(
    `UPDATE outbox SET status = 'failed', error = @error, claimed_until = NULL, updated_at = @now WHERE id = @id`,
  );
  const expire = db.prepare<{ now: number }>(
    `UPDATE outbox SET status = 'unknown', updated_at = @now
     WHERE status = 'sending' AND claimed_until <= @now
     RETURNING ${outboxColumns}`,
  );
  // provider_id is not unique (see migration 3): the latest item sent with it is the one meant.
  const delivery = db.prepare<{ providerId: string; status: string; errorCode: string | null; now: number }>(
    `UPDATE outbox SET delivery_status = @status, error = coalesce(@errorCode, error), updated_at = @now
     WHERE id = (SELECT id FROM outbox WHERE provider_id = @providerId ORDER BY id DESC LIMIT 1)
     RETURNING ${outboxColumns}`,
  );

  const hold = db.prepare<{ id: number; notBefore: number; now: number }>(
    `UPDATE outbox SET status = 'pending', attempts = max(attempts - 1, 0), next_attempt_at = @notBefore,
       not_before = @notBefore, claimed_until = NULL, updated_at = @now
     WHERE id = @id AND status = 'sending'`,
  );
  const selectHeld = db.prepare<[number]>(
    `SELECT id, payload, not_before FROM outbox
     WHERE conversation_id = ? AND destination_key = 'client' AND status = 'pending' AND not_before IS NOT NULL
     ORDER BY id`,
  );
  const deleteHeld = db.prepare<[number, number]>(
    "DELETE FROM outbox WHERE id = ? AND conversation_id = ? AND status = 'pending' AND not_before IS NOT NULL",
  );

  // What /metrics shows: the unsent items, and the oldest of them that is not held for quiet hours.
  const backlog = db.prepare<{ now: number }, { unsent: number; oldest: number | null }>(
    `SELECT count(*) AS unsent,
       min(CASE WHEN status = 'pending' AND not_before IS NOT NULL AND next_attempt_at > @now THEN NULL
           ELSE created_at END) AS oldest
     FROM outbox WHERE status IN ('pending', 'sending')`,
  );

  const insertDrafts: InsertDrafts = (conversationId, drafts, now) => {
    for (const draft of drafts) insert.run(draftParams(conversationId, draft, now));
  };

  const claimTx = db.transaction((now: number, leaseMs: number, limit: number) => {
    const claimable = ids.parse(selectClaimable.all({ now, limit }));
    return parseOutboxRows(claimable.flatMap((id) => claim.all({ id, now, until: now + leaseMs })));
  });
  const expireTx = db.transaction((now: number) => parseOutboxRows(expire.all({ now })));
  const enqueueTx = db.transaction(insertDrafts);

  const methods: OutboxStore & HeldTextStore = {
    // Immediate: the write lock is taken before selecting, so two processes never claim one item.
    claimOutbox: async (now, leaseMs, limit) => (limit > 0 ? claimTx.immediate(now, leaseMs, limit) : []),
    markOutboxSent: async (id, providerId, now) => {
      markSent.run({ id, providerId, now });
    },
    retryOutbox: async (id, nextAttemptAt, error, now) => {
      retry.run({ id, nextAttemptAt, error, now });
    },
    failOutbox: async (id, error, now) => {
      fail.run({ id, error, now });
    },
    expireOutbox: async (now) => expireTx.immediate(now),
    recordDelivery: async (providerId, status, errorCode, now) => {
      const row = delivery.get({ providerId, status, errorCode, now });
      return row === undefined ? null : parseOutboxRow(row);
    },
    enqueueOutbox: async (conversationId, drafts, now) => {
      enqueueTx.immediate(conversationId, drafts, now);
    },
    holdOutbox: async (id, notBefore, now) => {
      hold.run({ id, notBefore, now });
    },
    outboxBacklog: async (now) => {
      const row = backlog.get({ now });
      return { unsent: row?.unsent ?? 0, oldestQueuedAt: row?.oldest ?? null };
    },
  };
  const heldTexts = (conversationId: number): HeldText[] =>
    selectHeld.all(conversationId).map((row) => {
      const r = heldRow.parse(row);
      return { id: r.id, text: heldPayload.parse(JSON.parse(r.payload)).text, notBefore: r.not_before };
    });
  const dropHeld = (conversationId: number, held: readonly number[]): void => {
    for (const id of held) deleteHeld.run(id, conversationId);
  };
  return { methods, insertDrafts, heldTexts, dropHeld };
}
