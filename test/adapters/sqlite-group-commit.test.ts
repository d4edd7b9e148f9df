import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createGroupCommit } from '../../src/adapters/sqlite/sqlite-group-commit.js';
import { createSqliteConversationStore } from '../../src/adapters/sqlite/sqlite-conversation-store.js';
import { openSqliteDatabase } from '../../src/adapters/sqlite/sqlite-database.js';
import { StoreUnavailableError } from '../../src/core/store-unavailable.js';
import { fakeDecide, inbound } from '../contract/fake-decide.js';

// Group commit (issue 11): the receives of one event-loop turn share one transaction and one
// fsync, and nobody is answered before that COMMIT; when an item throws, the batch rolls back and
// each item runs again alone. Behaviour only: no timings.

const dirs: string[] = [];
const open: Database.Database[] = [];
function tempDb(): { path: string; db: Database.Database } {
  const dir = mkdtempSync(join(tmpdir(), 'group-commit-'));
  dirs.push(dir);
  const path = join(dir, 'db.sqlite');
  const db = openSqliteDatabase(path);
  db.exec(`CREATE TABLE parent (id INTEGER PRIMARY KEY);
    CREATE TABLE item (id TEXT PRIMARY KEY, parent INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);
    INSERT INTO parent (id) VALUES (1);`);
  open.push(db);
  return { path, db };
}
afterEach(() => {
  for (const db of open.splice(0)) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Whether another connection (another process, after a crash) sees item `id`: only a committed row is. */
function committed(path: string, id: string): boolean {
  const reader = new Database(path, { readonly: true });
  try {
    return reader.prepare('SELECT 1 FROM item WHERE id = ?').get(id) !== undefined;
  } finally {
    reader.close();
  }
}

describe('SQLite group commit', () => {
  it('commits the work of one event-loop turn together, in the order it came, and answers only once it is committed', async () => {
    const { path, db } = tempDb();
    const batches: number[] = [];
    const group = createGroupCommit(db, { onBatch: (size) => batches.push(size) });
    const insert = db.prepare('INSERT INTO item (id, parent) VALUES (?, 1)');
    const order: string[] = [];
    const ids = Array.from({ length: 20 }, (_, i) => `m${i}`);
    const answers = ids.map((id) =>
      group
        .run(() => {
          order.push(id);
          insert.run(id);
          return id;
        })
        .then((value) => ({ value, committed: committed(path, id) })),
    );
    expect(await Promise.all(answers)).toEqual(ids.map((id) => ({ value: id, committed: true })));
    expect(order).toEqual(ids);
    expect(batches).toEqual([20]);
  });

  it('rolls back and rejects only the work that threw; the rest of its batch is kept', async () => {
    const { path, db } = tempDb();
    const group = createGroupCommit(db);
    const insert = db.prepare('INSERT INTO item (id, parent) VALUES (?, 1)');
    const failing = new Error('decide failed');
    const runs: string[] = [];
    const results = await Promise.allSettled(
      ['a', 'b', 'c'].map((id) =>
        group.run(() => {
          runs.push(id);
          insert.run(id);
          if (id === 'b') throw failing;
          return id;
        }),
      ),
    );
    expect(results).toEqual([
      { status: 'fulfilled', value: 'a' },
      { status: 'rejected', reason: failing },
      { status: 'fulfilled', value: 'c' },
    ]);
    // The shared transaction stopped at b and rolled back; then each ran alone, b still failing.
    expect(runs).toEqual(['a', 'b', 'a', 'b', 'c']);
    expect(['a', 'b', 'c'].map((id) => committed(path, id))).toEqual([true, false, true]);
    expect(db.inTransaction).toBe(false);
  });

  it('when the batch cannot commit, runs each item again in a transaction of its own before answering anyone', async () => {
    const { path, db } = tempDb();
    const group = createGroupCommit(db);
    // A deferred foreign key is checked at COMMIT: item 'orphan' makes the shared COMMIT fail.
    const insert = db.prepare('INSERT INTO item (id, parent) VALUES (?, ?)');
    const runs: string[] = [];
    const work = (id: string, parent: number) => () => {
      runs.push(id);
      insert.run(id, parent);
      return id;
    };
    const results = await Promise.allSettled([
      group.run(work('a', 1)),
      group.run(work('orphan', 2)),
      group.run(work('c', 1)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(runs).toEqual(['a', 'orphan', 'c', 'a', 'orphan', 'c']);
    expect(['a', 'orphan', 'c'].map((id) => committed(path, id))).toEqual([true, false, true]);
    expect(db.inTransaction).toBe(false);
  });

  it('answers StoreUnavailableError when the database stays locked by another process', async () => {
    const { path, db } = tempDb();
    db.pragma('busy_timeout = 0');
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      const group = createGroupCommit(db);
      const results = await Promise.allSettled([group.run(() => 'a'), group.run(() => 'b')]);
      for (const result of results) {
        expect(result.status).toBe('rejected');
        expect(result.status === 'rejected' && result.reason).toBeInstanceOf(StoreUnavailableError);
      }
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });

  it('saves every one of many texts received at once from different senders, each once, with its replies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'group-commit-store-'));
    dirs.push(dir);
    const store = createSqliteConversationStore(join(dir, 'store.db'));
    try {
      const { decide } = fakeDecide({ replies: ['next question'] });
      const senders = Array.from({ length: 30 }, (_, i) => `+1555000${String(i).padStart(4, '0')}`);
      const received = await Promise.all(
        senders.flatMap((participant) => [
          store.receive(inbound(`SM-${participant}`, { participant }), decide),
          store.receive(inbound(`SM-${participant}`, { participant }), decide),
        ]),
      );
      expect(received.filter((r) => !r.duplicate)).toHaveLength(30);
      expect(received.filter((r) => r.duplicate)).toHaveLength(30);
      const conversations = await store.list({});
      expect(conversations).toHaveLength(30);
      for (const { id } of conversations) {
        expect((await store.get(id))?.transcript.map((t) => t.text)).toEqual([
          expect.stringMatching(/^text SM-/),
          'next question',
        ]);
      }
    } finally {
      await store.close();
    }
  });
});
