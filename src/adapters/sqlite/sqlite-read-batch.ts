import type Database from 'better-sqlite3';
import { settleBatch, type Outcome } from './settle-batch.js';

/** Reads queued in one event-loop turn, run together in one read transaction. */
export interface ReadBatch<I, O> {
  /** Resolves with `read(input)`, run at the next setImmediate with the rest of this turn's inputs; a throw rejects only this input's promise. */
  run(input: I): Promise<O>;
}

interface Pending<I, O> {
  input: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Batches synchronous reads as the group commit batches writes (issue 11). A read transaction of
 * its own for each read took and released the WAL's read lock (fcntl calls) and ran its BEGIN and
 * COMMIT every time; the reads of one turn now share one, which also makes them one consistent
 * state. The cost is a setImmediate: the reads run after this turn's other callbacks.
 */
export function createReadBatch<I, O>(db: Database.Database, read: (input: I) => O): ReadBatch<I, O> {
  let queue: Pending<I, O>[] = [];
  const readAll = db.transaction((batch: Pending<I, O>[]) =>
    batch.map(({ input }): Outcome<O> => {
      try {
        return { ok: true, value: read(input) };
      } catch (error) {
        return { ok: false, error };
      }
    }),
  );

  function flush(): void {
    const batch = queue;
    queue = [];
    let outcomes: Outcome<O>[];
    try {
      outcomes = readAll(batch);
    } catch (error) {
      // The transaction itself failed (its BEGIN: a closed database, say): every read with it.
      outcomes = batch.map(() => ({ ok: false, error }));
    }
    settleBatch(batch, outcomes, 'read batch');
  }

  return {
    run(input) {
      return new Promise<O>((resolve, reject) => {
        if (queue.length === 0) setImmediate(flush);
        queue.push({ input, resolve, reject });
      });
    },
  };
}
