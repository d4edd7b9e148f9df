import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startCheckpointer } from '../../src/adapters/sqlite/sqlite-checkpointer.js';

const dirs: string[] = [];
function walDatabase(): { db: Database.Database; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-checkpointer-'));
  dirs.push(dir);
  const path = join(dir, 'busy.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE texts (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  // The table in the file itself and an empty WAL: what is in the file later, a checkpoint put there.
  db.pragma('wal_checkpoint(TRUNCATE)');
  return { db, path };
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Rows in the database file alone, the WAL left out: what a checkpoint has copied into it. */
function rowsInMainFile(path: string): number {
  const copy = `${path}.copy`;
  copyFileSync(path, copy);
  const db = new Database(copy, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM texts').pluck().get() as number;
  } finally {
    db.close();
  }
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('SQLite checkpoint thread', () => {
  it('starts once the WAL has grown, takes over from the connection and copies the WAL into the file', async () => {
    const { db, path } = walDatabase();
    const checkpointer = startCheckpointer(db, path, { startAtBytes: 256 * 1024, everyMs: 20, watchMs: 20 });
    try {
      const insert = db.prepare('INSERT INTO texts (body) VALUES (?)');
      const write = (n: number) =>
        db.transaction(() => {
          for (let i = 0; i < n; i += 1) insert.run('x'.repeat(500));
        })();
      // A quiet database: under the threshold nothing starts, the connection keeps its own checkpoint.
      write(10);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
      expect(rowsInMainFile(path)).toBe(0);
      // Busy: past 256 KiB of WAL the thread starts and the connection's checkpoint becomes a backstop.
      for (let i = 0; i < 20; i += 1) write(50);
      await until(() => db.pragma('wal_autocheckpoint', { simple: true }) === 4000);
      await until(() => rowsInMainFile(path) === 1010);
    } finally {
      await checkpointer.close();
      db.close();
    }
  });

  it('hands checkpoints back to the connection, and says why, when the thread fails', async () => {
    const { db } = walDatabase();
    const stopped: string[] = [];
    // A path the thread cannot open: it fails as soon as it starts.
    const checkpointer = startCheckpointer(db, join(tmpdir(), 'no-such-dir-for-checkpoints', 'x.db'), {
      startAtBytes: 0,
      watchMs: 10,
      onStopped: (why) => stopped.push(why),
    });
    try {
      await until(() => stopped.length > 0);
      expect(stopped[0]).toMatch(/unable to open|directory does not exist|cannot open/i);
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    } finally {
      await checkpointer.close();
      db.close();
    }
  });

  it('closes: the thread stops and the file opens again with every row', async () => {
    const { db, path } = walDatabase();
    const checkpointer = startCheckpointer(db, path, { startAtBytes: 0, everyMs: 10, watchMs: 10 });
    db.prepare('INSERT INTO texts (body) VALUES (?)').run('kept');
    await until(() => db.pragma('wal_autocheckpoint', { simple: true }) === 4000);
    await checkpointer.close();
    await checkpointer.close();
    db.close();
    const reopened = new Database(path, { readonly: true });
    expect(reopened.prepare('SELECT body FROM texts').pluck().all()).toEqual(['kept']);
    reopened.close();
  });
});
