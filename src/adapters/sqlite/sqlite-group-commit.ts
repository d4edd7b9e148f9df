import type Database from 'better-sqlite3';
import { StoreUnavailableError } from '../../core/store-unavailable.js';
import { settleBatch, type Outcome as BatchOutcome } from './settle-batch.js';

/** Runs work in shared transactions: one COMMIT, and so one WAL fsync, for everything that arrived in one event-loop turn. */
export interface GroupCommit {
  /**
   * Runs `work` in the next batch's transaction and resolves once that transaction committed
   * (with synchronous=FULL: once it is on disk). A throw rejects only this work's promise: the
   * rest of its batch is run again and kept.
   */
  run<R>(work: () => R): Promise<R>;
}

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = BatchOutcome<unknown>;

/** Failures that say the database cannot take the write now (locked by another process, disk full or failing), not that the work is wrong. */
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL)/;

function unavailable(error: unknown): unknown {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (!UNAVAILABLE.test(code)) return error;
  return new StoreUnavailableError(
    `SQLite could not save the message (${code}); check the disk and other processes on the database file`,
    {
      cause: error,
    },
  );
}

/**
 * Group commit for better-sqlite3, which is synchronous: work queued during one event-loop turn
 * runs at the next setImmediate in one BEGIN IMMEDIATE, then one COMMIT, and only then is any
 * caller answered. Items run in the order they were queued. If the batch fails (its BEGIN, its
 * COMMIT, or any item throwing), it rolls back, nothing of it was saved, and each item runs again
 * in a transaction of its own before anyone is answered; the
 * work is therefore run again, which the decide-once contract allows. An item that still fails
 * for want of the database rejects with StoreUnavailableError (503), anything else as thrown.
 * `onBatch` hears how many items each turn's flush handled.
 */
export function createGroupCommit(
  db: Database.Database,
  options: { onBatch?: (size: number) => void } = {},
): GroupCommit {
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  let queue: Pending[] = [];

  function alone(work: () => unknown): Outcome {
    try {
      return { ok: true, value: db.transaction(work).immediate() };
    } catch (error) {
      return { ok: false, error: unavailable(error) };
    }
  }

  /**
   * Every item's value, or null when anything failed and nothing was saved. No savepoint per item:
   * a savepoint journals every page an item touches (about a dozen per text), and an item that
   * throws is rare, so the whole batch rolls back then and each item runs again alone (issue 11).
   */
  function together(batch: Pending[]): Outcome[] | null {
    try {
      begin.run();
    } catch {
      return null;
    }
    try {
      const outcomes = batch.map(({ work }): Outcome => ({ ok: true, value: work() }));
      commit.run();
      return outcomes;
    } catch {
      if (db.inTransaction) rollback.run();
      return null;
    }
  }

  function flush(): void {
    const batch = queue;
    queue = [];
    const outcomes = (batch.length > 1 ? together(batch) : null) ?? batch.map((item) => alone(item.work));
    options.onBatch?.(batch.length);
    settleBatch(batch, outcomes, 'group commit');
  }

  return {
    run<R>(work: () => R): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        if (queue.length === 0) setImmediate(flush);
        queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      });
    },
  };
}
