import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/** Whether `path` names a file: not `:memory:`, nor '' (SQLite's private temporary database). */
export const isFileDatabase = (path: string): boolean => path !== ':memory:' && path !== '';

/** The page cache per connection, in KiB. */
const CACHE_KIB = 2000;

export function openSqliteDatabase(path: string): Database.Database {
  if (isFileDatabase(path)) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // FULL fsyncs the WAL on every commit: a reply is only sent after its commit, so an
  // acknowledged message must survive a crash or power cut, not just a process kill.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // A statement that may fail half-way inside a transaction (a two-row insert, an update) keeps a
  // journal of the pages it changes, in a temporary file by default: in memory it costs less CPU
  // (issue 11). Only undo copies are held there; the database and its WAL stay on disk.
  db.pragma('temp_store = MEMORY');
  // SQLite's own default page cache, 2 MiB, not better-sqlite3's 16 MiB. A commit after a page split
  // that reordered pages (an insert into the middle of an index: message ids are random) scans the
  // whole cache, page by page (pcache1TruncateUnsafe: balance_nonroot parks a page at the lock-byte
  // page's number, beyond the end of the file). With 16 MiB that scan took about 3% of the main
  // thread under load (issue 11); the pages the hot path reads now come from the OS's cache more often.
  db.pragma(`cache_size = -${CACHE_KIB}`);
  return db;
}
