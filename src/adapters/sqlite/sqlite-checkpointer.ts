import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** Copies the WAL back into the database file from a thread of its own once the WAL has grown (issue 11). */
export interface Checkpointer {
  /** Stops watching and, if it runs, the thread (its connection closed); idempotent. */
  close(): Promise<void>;
}

export interface CheckpointerOptions {
  /** The WAL file size that starts the thread: below it the connection's own automatic checkpoint is enough. */
  startAtBytes?: number;
  /** How often the thread checkpoints. */
  everyMs?: number;
  /** How often the WAL file's size is read until the thread starts. */
  watchMs?: number;
  /** Hears why the thread stopped, if it stops on its own; the connection checkpoints itself again then. */
  onStopped?: (why: string) => void;
}

/**
 * The thread's code, CommonJS for an eval worker (no entry file to find under tsx or in dist/). A
 * PASSIVE checkpoint never waits on the writer nor blocks it; one that finds another checkpoint
 * running (SQLITE_BUSY) is simply tried again next time.
 */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    if (!/^SQLITE_BUSY/.test(String(error && error.code))) throw error;
  }
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

/**
 * What the connection's automatic checkpoint is left as while the thread runs. Under steady writes a
 * PASSIVE checkpoint rarely finds the whole WAL copied (a commit lands while it runs), so the WAL
 * only starts over when this runs: by then the thread has copied nearly all of it, and what is left
 * for the main thread is small. 4,000 pages keep the WAL file near 16 MiB (20,000 let it reach 82).
 */
const BACKSTOP_PAGES = 4000;

/**
 * With synchronous=FULL, SQLite's automatic checkpoint runs inside the COMMIT that crosses 1,000 WAL
 * pages: it writes those pages into the database file and fsyncs it on the thread that committed,
 * here the main thread, holding up every request for several milliseconds about every 20 group
 * commits under load. Once the WAL file has grown past `startAtBytes` (a busy database; a quiet one
 * never starts it), a worker thread with its own connection checkpoints every `everyMs` (100 ms), and the
 * connection's own checkpoint is left only as a backstop. If the thread fails, the connection
 * checkpoints itself as before. Checkpoints are crash-safe by design: a kill -9 mid-way loses nothing.
 */
export function startCheckpointer(
  db: Database.Database,
  path: string,
  options: CheckpointerOptions = {},
): Checkpointer {
  const { startAtBytes = 2 * 1024 * 1024, everyMs = 100, watchMs = 500 } = options;
  const autocheckpoint = Number(db.pragma('wal_autocheckpoint', { simple: true }));
  let worker: Worker | undefined;
  let closed = false;

  const walBytes = (): number => {
    try {
      return statSync(`${path}-wal`).size;
    } catch {
      return 0;
    }
  };

  /** The connection checkpoints itself again, as before the thread; `why` goes to onStopped. */
  function handBack(why: string): void {
    worker = undefined;
    db.pragma(`wal_autocheckpoint = ${autocheckpoint}`);
    options.onStopped?.(why);
  }

  function start(): void {
    const started = new Worker(THREAD, {
      eval: true,
      workerData: { driver: createRequire(import.meta.url).resolve('better-sqlite3'), path, everyMs },
    });
    worker = started;
    started.unref();
    db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    // Only while it is the running thread: after close, or after an error already handed back, nothing to do.
    const stopped = (why: string) => {
      if (!closed && worker === started) handBack(why);
    };
    started.on('error', (error) => stopped(error.message));
    started.on('exit', (code) => stopped(`exit code ${code}`));
  }

  const watch = setInterval(() => {
    if (walBytes() < startAtBytes) return;
    clearInterval(watch);
    try {
      start();
    } catch (error) {
      // Thrown in a timer it would end the process: the connection keeps checkpointing itself instead.
      handBack(error instanceof Error ? error.message : String(error));
    }
  }, watchMs);
  watch.unref();

  return {
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(watch);
      const running = worker;
      worker = undefined;
      if (running === undefined) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.postMessage('close');
      // A thread stuck in a checkpoint is not waited on for long: the file stays consistent either way.
      const stuck = setTimeout(() => void running.terminate(), 2000);
      stuck.unref();
      await exited;
      clearTimeout(stuck);
    },
  };
}
