import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteDatabase } from '../../src/adapters/sqlite/sqlite-database.js';
import { createReadBatch } from '../../src/adapters/sqlite/sqlite-read-batch.js';

// Read batches (issue 11): the reads queued in one event-loop turn share one read transaction, so
// they see one state, and a read that throws fails only itself. Behaviour only: no timings.

const dirs: string[] = [];
const open: Database.Database[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'read-batch-'));
  dirs.push(dir);
  return join(dir, 'db.sqlite');
}
function connect(path: string): Database.Database {
  const db = openSqliteDatabase(path);
  open.push(db);
  return db;
}
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A file with a table of notes, a reader connection and a writer connection to it. */
function twoConnections() {
  const path = tempFile();
  const reader = connect(path);
  reader.exec('CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT NOT NULL)');
  const writer = connect(path);
  const add = (text: string) => writer.prepare('INSERT INTO note (text) VALUES (?)').run(text);
  const count = reader.prepare<[], { n: number }>('SELECT count(*) AS n FROM note');
  return { reader, add, count: () => count.get()?.n };
}

describe('sqlite read batch', () => {
  it("runs one turn's reads in one read transaction: a commit between them is not seen until the next turn", async () => {
    const { reader, add, count } = twoConnections();
    const seen: Array<{ key: string; inTransaction: boolean }> = [];
    // The first read of each batch commits a note on the other connection, as another process could.
    const batch = createReadBatch(reader, (key: string) => {
      const n = count();
      seen.push({ key, inTransaction: reader.inTransaction });
      if (key.endsWith('first')) add(key);
      return n;
    });
    const firstTurn = await Promise.all([batch.run('a first'), batch.run('a second'), batch.run('a third')]);
    expect(firstTurn).toEqual([0, 0, 0]);
    const nextTurn = await Promise.all([batch.run('b first'), batch.run('b second')]);
    expect(nextTurn).toEqual([1, 1]);
    expect(await batch.run('c alone')).toBe(2);
    expect(seen.every((read) => read.inTransaction)).toBe(true);
    expect(seen.map((read) => read.key)).toEqual(['a first', 'a second', 'a third', 'b first', 'b second', 'c alone']);
    expect(reader.inTransaction).toBe(false);
  });

  it('runs every read once, in the order queued, and resolves each with its own result', async () => {
    const { reader } = twoConnections();
    const ran: number[] = [];
    const batch = createReadBatch(reader, (n: number) => {
      ran.push(n);
      return n * 10;
    });
    const results = await Promise.all([1, 2, 3, 4].map((n) => batch.run(n)));
    expect(results).toEqual([10, 20, 30, 40]);
    expect(ran).toEqual([1, 2, 3, 4]);
  });

  it('rejects only the read that threw; the rest of its batch resolves', async () => {
    const { reader } = twoConnections();
    const batch = createReadBatch(reader, (key: string) => {
      if (key === 'bad') throw new Error('cannot read bad');
      return key.toUpperCase();
    });
    const [good, bad, after] = await Promise.allSettled([batch.run('good'), batch.run('bad'), batch.run('after')]);
    expect(good).toEqual({ status: 'fulfilled', value: 'GOOD' });
    expect(bad).toMatchObject({ status: 'rejected', reason: { message: 'cannot read bad' } });
    expect(after).toEqual({ status: 'fulfilled', value: 'AFTER' });
    expect(reader.inTransaction).toBe(false);
  });

  it('rejects every read of a batch whose transaction cannot start', async () => {
    const { reader } = twoConnections();
    const batch = createReadBatch(reader, (key: string) => key);
    const pending = [batch.run('one'), batch.run('two')];
    reader.close();
    const outcomes = await Promise.allSettled(pending);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(outcomes[0]).toMatchObject({ reason: { message: expect.stringMatching(/not open/) } });
  });
});
