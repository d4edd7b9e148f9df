import { describe, expect, it } from 'vitest';
import { openSqliteDatabase } from '../../src/adapters/sqlite/sqlite-database.js';
import { tempDatabasePath } from '../support/sms-harness.js';

describe('openSqliteDatabase', () => {
  it('opens the file in WAL mode with a full fsync per commit, keeps statement journals in memory and a 2 MiB page cache', () => {
    const db = openSqliteDatabase(tempDatabasePath());
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      // 2 = FULL: a message answered 200 is on disk.
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      // 2 = MEMORY.
      expect(db.pragma('temp_store', { simple: true })).toBe(2);
      // Negative: KiB, not pages. SQLite's default, where better-sqlite3 sets 16 MiB.
      expect(db.pragma('cache_size', { simple: true })).toBe(-2000);
    } finally {
      db.close();
    }
  });
});
