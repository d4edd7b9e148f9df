import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export function openSqliteDatabase(path: string): Database.Database {
  if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // FULL fsyncs the WAL on every commit: a reply is only sent after its commit, so an
  // acknowledged message must survive a crash or power cut, not just a process kill.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Each text of a group commit runs in a savepoint, whose journal of the pages it changes goes to
  // a temporary file by default: in memory, a text costs about a quarter less CPU (issue 11). Only
  // the undo copies of one transaction are held there; the database and its WAL stay on disk.
  db.pragma('temp_store = MEMORY');
  return db;
}
