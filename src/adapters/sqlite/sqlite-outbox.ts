import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { OutboxDraft, OutboxStore } from '../../core/ports.js';
import { draftParams, outboxColumns, parseOutboxRow, parseOutboxRows } from './sqlite-outbox-rows.js';
import type { DraftParams } from './sqlite-outbox-rows.js';

/** Inserts `drafts` in order as pending items due at `now`; joins the caller's transaction. */
export type InsertDrafts = (conversationId: number, drafts: readonly OutboxDraft[], now: number) => void;

interface SqliteOutbox {
  methods: OutboxStore;
  insertDrafts: InsertDrafts;
}

const ids = z.array(z.number().int());

export function createSqliteOutbox(db: Database.Database): SqliteOutbox {
  const insert = db.prepare<DraftParams>(
    `INSERT INTO outbox (conversation_id, destination, destination_key, payload, status, attempts, next_attempt_at,
       created_at, updated_at)
     VALUES (@conversationId, @destination, @destinationKey, @payload, 'pending', 0, @now, @now, @now)`,
  );
  // Oldest due first, skipping any item queued behind an earlier one for the same recipient that
  // is still pending (even if not due yet: a retry keeps its place) or being sent.
  const selectClaimable = db
    .prepare<{ now: number; limit: number }>(
      `SELECT id FROM outbox AS o
       WHERE o.status = 'pending' AND o.next_attempt_at <= @now
         AND NOT EXISTS (
           SELECT 1 FROM outbox AS earlier
           WHERE earlier.conversation_id = o.conversation_id AND earlier.destination_key = o.destination_key
             AND earlier.id < o.id AND earlier.status IN ('pending', 'sending'))
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

  const insertDrafts: InsertDrafts = (conversationId, drafts, now) => {
    for (const draft of drafts) insert.run(draftParams(conversationId, draft, now));
  };

  const claimTx = db.transaction((now: number, leaseMs: number, limit: number) => {
    const claimable = ids.parse(selectClaimable.all({ now, limit }));
    return parseOutboxRows(claimable.flatMap((id) => claim.all({ id, now, until: now + leaseMs })));
  });
  const expireTx = db.transaction((now: number) => parseOutboxRows(expire.all({ now })));
  const enqueueTx = db.transaction(insertDrafts);

  const methods: OutboxStore = {
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
  };
  return { methods, insertDrafts };
}
