import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/** Whether `path` names a file: not `:memory:`, nor '' (SQLite's private temporary database). */
export const isFileDatabase = (path: string): boolean => path !== ':memory:' && path !== '';

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
  return db;
}
