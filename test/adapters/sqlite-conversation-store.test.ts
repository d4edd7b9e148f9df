import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteConversationStore } from '../../src/adapters/sqlite/sqlite-conversation-store.js';
import { runSqliteMigrations, sqliteMigrations } from '../../src/adapters/sqlite/sqlite-migrations.js';
import { createReceiveStatements } from '../../src/adapters/sqlite/sqlite-receive-statements.js';
import { MACHINE_VERSION } from '../../src/core/conversation-machine.js';
import type { Decide } from '../../src/core/ports.js';
import { withSnapshotText } from '../../src/core/snapshot-text.js';
import { describeConversationStoreContract } from '../contract/conversation-store.contract.js';
import { describeConversationUpdateContract } from '../contract/conversation-update.contract.js';
import { describeDecideOnceContract } from '../contract/decide-once.contract.js';
import { describeHeldTextsContract } from '../contract/held-texts.contract.js';
import { describeMediaContract } from '../contract/media.contract.js';
import { describeMultiInstanceContract } from '../contract/multi-instance.contract.js';
import { describeOutboxContract } from '../contract/outbox.contract.js';

const tempDirs: string[] = [];
function tempDbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-store-'));
  tempDirs.push(dir);
  return join(dir, 'nested', 'conversations.db');
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describeConversationStoreContract('sqlite (temp file)', () => createSqliteConversationStore(tempDbPath()));
describeConversationUpdateContract('sqlite (temp file)', () => createSqliteConversationStore(tempDbPath()));
describeDecideOnceContract('sqlite (temp file)', () => createSqliteConversationStore(tempDbPath()));
describeHeldTextsContract('sqlite (two connections to one file)', () => {
  const path = tempDbPath();
  return { open: () => createSqliteConversationStore(path) };
});
describeMediaContract('sqlite (two connections to one file)', () => {
  const path = tempDbPath();
  return { open: () => createSqliteConversationStore(path) };
});
describeOutboxContract('sqlite (two connections to one file)', () => {
  const path = tempDbPath();
  return { open: () => createSqliteConversationStore(path) };
});
describeMultiInstanceContract('sqlite (connections to one file)', () => {
  const path = tempDbPath();
  return { open: () => createSqliteConversationStore(path) };
});

const decide: Decide = () => ({
  machineVersion: 1,
  snapshot: { value: 'start' },
  summary: {
    status: 'bot',
    awaiting: 'product',
    answers: { product: null, asker: null },
    verdict: null,
    side: 'client',
    flags: [],
  },
  replies: ['hi'],
});
const message = (externalId: string) => ({
  channel: 'sms' as const,
  participant: '+15550000001',
  conversationKey: '+15550000001',
  provider: 'twilio',
  externalId,
  text: `text ${externalId}`,
  receivedAt: Date.UTC(2025, 0, 1),
});

/**
 * A database file migrated to just before `version`, holding text m1 as answered then: written by
 * the same statements a receive uses.
 */
function answeredBeforeVersion(version: number): string {
  const path = tempDbPath();
  mkdirSync(dirname(path), { recursive: true });
  withRawDb(path, (db) => {
    runSqliteMigrations(
      db,
      sqliteMigrations.filter((m) => m.version < version),
    );
    db.transaction(() => createReceiveStatements(db).write(message('m1'), decide(null), null)).immediate();
  });
  return path;
}

function withRawDb<T>(path: string, use: (db: Database.Database) => T): T {
  const db = new Database(path);
  try {
    return use(db);
  } finally {
    db.close();
  }
}

describe('sqlite conversation store specifics', () => {
  it('peeks at what a receive would decide on: a duplicate, the saved row with its version, the kept opt-out', async () => {
    const store = createSqliteConversationStore(tempDbPath());
    try {
      // Saved by this machine: a text to it does not start over, so the kept opt-out is not read.
      const current: Decide = (saved) => ({ ...decide(saved), machineVersion: MACHINE_VERSION });
      const optingOut: Decide = (saved) => {
        const decision = current(saved);
        return { ...decision, summary: { ...decision.summary, status: 'opted_out' } };
      };
      expect(await store.peekInbound(message('p1'))).toEqual({ duplicate: false, saved: null, optedOut: false });
      const handed: unknown[] = [];
      await store.receive(message('p1'), (saved) => (handed.push(saved), current(saved)));
      expect(await store.peekInbound(message('p1'))).toEqual({ duplicate: true });
      const peeked = await store.peekInbound(message('p2'));
      expect(peeked).toMatchObject({
        duplicate: false,
        optedOut: null,
        saved: { machineVersion: MACHINE_VERSION, version: 1 },
      });
      // The receive that follows is handed the same row at the same version; each save moves it on.
      await store.receive(message('p2'), (saved) => (handed.push(saved), optingOut(saved)));
      expect(handed[1]).toEqual(peeked.duplicate ? null : peeked.saved);
      expect(await store.peekInbound(message('p3'))).toMatchObject({ saved: { version: 2 }, optedOut: null });
      // An older machine's row starts over: then the kept opt-out is read too.
      await store.receive(message('p3'), (saved) => ({ ...optingOut(saved), machineVersion: MACHINE_VERSION - 1 }));
      expect(await store.peekInbound(message('p4'))).toMatchObject({ saved: { version: 3 }, optedOut: true });
      // Once that conversation is gone, the peek reads the sender's kept opt-out.
      await store.eraseConversation((await store.list({}))[0]?.id ?? 0);
      expect(await store.peekInbound(message('p4'))).toEqual({ duplicate: false, saved: null, optedOut: true });
    } finally {
      await store.close();
    }
  });

  it('hands a receive after its peek the row as it is then: the peeked one while unchanged, else read again', async () => {
    const path = tempDbPath();
    const store = createSqliteConversationStore(path);
    const other = createSqliteConversationStore(path);
    try {
      const handed: Array<{ version?: number; snapshot: unknown } | null> = [];
      const recording: Decide = (saved) => (
        handed.push(saved && { version: saved.version, snapshot: saved.snapshot }),
        decide(saved)
      );
      const stepped =
        (step: number): Decide =>
        (saved) => ({ ...decide(saved), snapshot: { value: 'start', step } });
      // Peeked before there was a conversation; another connection starts one before the receive.
      const first = message('a1');
      await store.peekInbound(first);
      await other.receive(message('b1'), stepped(1));
      await store.receive(first, recording);
      expect(handed.at(-1)).toEqual({ version: 1, snapshot: { value: 'start', step: 1 } });
      // Unchanged since the peek: the receive is handed what the peek read.
      const second = message('a2');
      const peeked = await store.peekInbound(second);
      await store.receive(second, recording);
      expect(handed.at(-1)).toEqual({ version: 2, snapshot: decide(null).snapshot });
      expect(peeked).toMatchObject({ saved: { version: 2 } });
      // Saved again by the other connection after the peek: the receive reads the new version.
      const third = message('a3');
      await store.peekInbound(third);
      await other.receive(message('b2'), stepped(2));
      await store.receive(third, recording);
      expect(handed.at(-1)).toEqual({ version: 4, snapshot: { value: 'start', step: 2 } });
    } finally {
      await store.close();
      await other.close();
    }
  });

  it('writes the snapshot text a decision brings as it is', async () => {
    // A decision made on the decide thread brings its snapshot as JSON text (snapshot-text.ts): the
    // main thread writes it without reading or stringifying the snapshot again.
    const path = tempDbPath();
    const store = createSqliteConversationStore(path);
    const column = () => {
      const reader = new Database(path, { readonly: true });
      try {
        return reader.prepare<[], { snapshot: string }>('SELECT snapshot FROM conversations').get()?.snapshot;
      } finally {
        reader.close();
      }
    };
    try {
      await store.receive(message('t1'), decide);
      // A text laid out as JSON.stringify would not: written exactly as handed over.
      const text = '{ "turns": 7,  "nested": {"list": [1]} }';
      await store.receive(message('t2'), (saved) => {
        const { snapshot: _, ...fields } = decide(saved);
        return withSnapshotText(fields, text);
      });
      expect(column()).toBe(text);
      const next = await store.peekInbound(message('t3'));
      expect(next).toMatchObject({ saved: { snapshot: { turns: 7, nested: { list: [1] } } } });
    } finally {
      await store.close();
    }
  });

  it('runs migrations once: reopening keeps the data and does not re-record them', async () => {
    const path = tempDbPath();
    const first = createSqliteConversationStore(path);
    const { conversationId } = await first.receive(message('m1'), decide);
    await first.close();

    for (let i = 0; i < 2; i += 1) {
      const reopened = createSqliteConversationStore(path);
      expect((await reopened.get(conversationId))?.transcript).toHaveLength(2);
      await reopened.close();
    }
    const versions = withRawDb(path, (db) =>
      db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all(),
    );
    expect(versions).toEqual(sqliteMigrations.map((m) => m.version));
  });

  it('migrates a database from the previous release: its conversations are found by number as key', async () => {
    const path = tempDbPath();
    mkdirSync(dirname(path), { recursive: true });
    const oldId = withRawDb(path, (db) => {
      runSqliteMigrations(db, sqliteMigrations.slice(0, 1));
      // The way release 1 wrote a conversation: no conversation_key column yet.
      const info = db
        .prepare(
          `INSERT INTO conversations (channel, participant, status, awaiting, answers, verdict, flags, snapshot,
             machine_version, version, created_at, updated_at)
           VALUES ('sms', '+15550000001', 'bot', 'product', '{"product":null,"asker":null}', NULL, '[]',
             '{"value":"old"}', 1, 1, 1000, 1000)`,
        )
        .run();
      return Number(info.lastInsertRowid);
    });

    const store = createSqliteConversationStore(path);
    try {
      expect(await store.findOpen('sms', '+15550000001')).toMatchObject({ id: oldId, participant: '+15550000001' });
      const seen: unknown[] = [];
      const result = await store.receive(message('m1'), (saved) => {
        seen.push(saved);
        return decide(saved);
      });
      expect(seen).toEqual([{ id: oldId, machineVersion: 1, snapshot: { value: 'old' }, version: 1 }]);
      expect(result.conversationId).toBe(oldId);
      expect(await store.list({})).toHaveLength(1);
    } finally {
      await store.close();
    }
    const versions = withRawDb(path, (db) =>
      db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all(),
    );
    expect(versions).toEqual(sqliteMigrations.map((m) => m.version));
  });

  it('moves inbound dedupe to a table in arrival order, keeping every id it already answered', async () => {
    const path = answeredBeforeVersion(13);
    const store = createSqliteConversationStore(path);
    try {
      // The id answered before the migration is still a duplicate, with the replies sent then.
      const repeat = await store.receive(message('m1'), () => {
        throw new Error('a duplicate is not decided again');
      });
      expect(repeat).toMatchObject({ duplicate: true, replies: ['hi'] });
      expect((await store.receive(message('m2'), decide)).duplicate).toBe(false);
    } finally {
      await store.close();
    }
    withRawDb(path, (db) => {
      expect(db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'processed_inbound'").pluck().get()).not.toMatch(
        /WITHOUT ROWID/,
      );
      expect(db.prepare('SELECT external_id FROM processed_inbound ORDER BY rowid').pluck().all()).toEqual([
        'm1',
        'm2',
      ]);
      const copy = db.prepare(
        "INSERT INTO processed_inbound (provider, external_id, conversation_id, received_at, replies) SELECT provider, external_id, conversation_id, received_at, replies FROM processed_inbound WHERE external_id = 'm1'",
      );
      expect(() => copy.run()).toThrow(/UNIQUE/);
    });
  });

  it("keys inbound dedupe by conversation, keeping every id it already answered (issue 11's WAL pages)", async () => {
    const path = answeredBeforeVersion(14);
    const store = createSqliteConversationStore(path);
    try {
      const repeat = await store.receive(message('m1'), () => {
        throw new Error('a duplicate is not decided again');
      });
      expect(repeat).toMatchObject({ duplicate: true, replies: ['hi'] });
      expect(await store.peekInbound(message('m1'))).toEqual({ duplicate: true });
      expect((await store.receive(message('m2'), decide)).duplicate).toBe(false);
    } finally {
      await store.close();
    }
    withRawDb(path, (db) => {
      // No index on processed_inbound may lead with the random message id: each would take a random
      // page in every commit. The unique one leads with the conversation and also serves its deletes.
      const indexes = db
        .prepare<[], { name: string; unique: number }>(
          'SELECT name, "unique" FROM pragma_index_list(\'processed_inbound\')',
        )
        .all();
      const columns = (index: string) =>
        db.prepare<[string], string>('SELECT name FROM pragma_index_info(?) ORDER BY seqno').pluck().all(index);
      expect(Object.fromEntries(indexes.map((index) => [index.name, columns(index.name)]))).toEqual({
        processed_inbound_key: ['conversation_id', 'provider', 'external_id'],
        processed_inbound_received: ['received_at'],
      });
      expect(indexes.find((index) => index.name === 'processed_inbound_key')?.unique).toBe(1);
      const copy = db.prepare(
        "INSERT INTO processed_inbound (provider, external_id, conversation_id, received_at, replies) SELECT provider, external_id, conversation_id, received_at, replies FROM processed_inbound WHERE external_id = 'm1'",
      );
      expect(() => copy.run()).toThrow(/UNIQUE/);
    });
  });

  it('migrates a release 2 database with a transcript to events and the outbox, keeping every row', async () => {
    const path = tempDbPath();
    mkdirSync(dirname(path), { recursive: true });
    withRawDb(path, (db) => {
      db.pragma('foreign_keys = ON');
      runSqliteMigrations(db, sqliteMigrations.slice(0, 2));
      db.exec(`INSERT INTO conversations (channel, conversation_key, participant, status, awaiting, answers, verdict,
          flags, snapshot, machine_version, version, created_at, updated_at)
        VALUES ('sms', '+15550000001', '+15550000001', 'bot', 'product', '{"product":null,"asker":null}', NULL, '[]',
          '{"value":"old"}', 1, 1, 1000, 2000);
        INSERT INTO messages (conversation_id, at, direction, author, text, external_id)
        VALUES (1, 1000, 'in', 'user', 'hello', 'SM1'), (1, 1000, 'out', 'bot', 'hi there', NULL),
          (1, 2000, 'in', 'user', 'again', 'SM2');`);
    });
    const store = createSqliteConversationStore(path);
    try {
      const old = [
        { at: new Date(1000).toISOString(), direction: 'in', author: 'user', text: 'hello' },
        { at: new Date(1000).toISOString(), direction: 'out', author: 'bot', text: 'hi there' },
        { at: new Date(2000).toISOString(), direction: 'in', author: 'user', text: 'again' },
      ];
      expect((await store.get(1))?.transcript).toEqual(old);
      expect(await store.listDue(Number.MAX_SAFE_INTEGER)).toEqual([]);
      const note = { direction: 'event', author: 'advisor', text: 'PJ took over' } as const;
      await store.update(1, (saved) => ({ decision: { ...decide(saved), notes: [note] }, result: null }), 3000);
      expect((await store.get(1))?.transcript).toEqual([...old, { at: new Date(3000).toISOString(), ...note }]);
    } finally {
      await store.close();
    }
    withRawDb(path, (db) => {
      expect(db.prepare('SELECT id, external_id FROM messages ORDER BY id').all()).toEqual([
        { id: 1, external_id: 'SM1' },
        { id: 2, external_id: null },
        { id: 3, external_id: 'SM2' },
        { id: 4, external_id: null },
      ]);
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const indexes = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages'")
        .pluck()
        .all();
      expect(indexes).toContain('messages_conversation');
    });
  });

  it('migrates a database from before the buying side: every existing conversation is on the client side', async () => {
    const path = tempDbPath();
    mkdirSync(dirname(path), { recursive: true });
    const sideMigration = sqliteMigrations.findIndex((m) => m.version === 5);
    expect(sideMigration).toBeGreaterThan(0);
    withRawDb(path, (db) => {
      db.pragma('foreign_keys = ON');
      runSqliteMigrations(db, sqliteMigrations.slice(0, sideMigration));
      const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('conversations');
      expect(columns).not.toContain('side');
      db.exec(`INSERT INTO conversations (channel, conversation_key, participant, status, awaiting, answers, verdict,
          flags, snapshot, machine_version, version, created_at, updated_at)
        VALUES ('sms', '+15550000001', '+15550000001', 'bot', NULL, '{"product":"payroll","asker":"their CFO"}', 'soc1',
          '[]', '{"value":"old"}', 1, 1, 1000, 1000),
          ('slack', 'T01:U01', 'T01:U01', 'waiting', 'asker', '{"product":"a CRM","asker":null}', NULL,
          '["unclear"]', '{"value":"old"}', 1, 1, 2000, 2000);`);
    });
    const store = createSqliteConversationStore(path);
    try {
      const listed = await store.list({});
      expect(listed.map((c) => [c.id, c.verdict, c.side])).toEqual([
        [2, null, 'client'],
        [1, 'soc1', 'client'],
      ]);
      expect(await store.get(1)).toMatchObject({
        side: 'client',
        verdict: 'soc1',
        answers: { product: 'payroll', asker: 'their CFO' },
      });
      // A later decision writes its own side over the default.
      await store.update(
        1,
        (saved) => {
          const decision = decide(saved);
          return {
            decision: { ...decision, summary: { ...decision.summary, verdict: 'soc1', side: 'buyer' } },
            result: null,
          };
        },
        3000,
      );
      expect(await store.get(1)).toMatchObject({ side: 'buyer', verdict: 'soc1' });
      expect(await store.get(2)).toMatchObject({ side: 'client' });
    } finally {
      await store.close();
    }
    withRawDb(path, (db) => {
      expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).toEqual(
        sqliteMigrations.map((m) => m.version),
      );
      expect(db.prepare('SELECT id, side FROM conversations ORDER BY id').all()).toEqual([
        { id: 1, side: 'buyer' },
        { id: 2, side: 'client' },
      ]);
    });
  });

  it('rejects a stored side that is neither client nor buyer', async () => {
    const path = tempDbPath();
    const store = createSqliteConversationStore(path);
    const { conversationId } = await store.receive(message('m1'), decide);
    withRawDb(path, (db) => db.prepare("UPDATE conversations SET side = 'seller' WHERE id = ?").run(conversationId));
    await expect(store.get(conversationId)).rejects.toThrow(/side/);
    await store.close();
  });

  it('rolls back a failing migration and leaves it unrecorded', () => {
    const db = new Database(':memory:');
    const broken = [
      ...sqliteMigrations,
      { version: 1000, name: 'broken', sql: 'CREATE TABLE half_done (x INTEGER); SELECT * FROM no_such_table;' },
    ];
    expect(() => runSqliteMigrations(db, broken)).toThrow(/no_such_table/);
    expect(db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(
      sqliteMigrations.at(-1)?.version,
    );
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").pluck().get()).toBe(0);
    db.close();
  });

  it('refuses migrations that are out of order', () => {
    const db = new Database(':memory:');
    const swapped = [...sqliteMigrations, { version: 0, name: 'late', sql: 'SELECT 1' }];
    expect(() => runSqliteMigrations(db, swapped)).toThrow(/out of order/);
    db.close();
  });

  it('puts the database in WAL mode and creates the parent directory', async () => {
    const path = tempDbPath();
    const store = createSqliteConversationStore(path);
    await store.ping();
    expect(withRawDb(path, (db) => db.pragma('journal_mode', { simple: true }))).toBe('wal');
    await store.close();
  });

  it('works in memory and fails ping once closed', async () => {
    const store = createSqliteConversationStore(':memory:');
    await store.ping();
    await store.close();
    await expect(store.ping()).rejects.toThrow();
  });

  it('rejects rows that do not match the schema instead of passing them on', async () => {
    const path = tempDbPath();
    const store = createSqliteConversationStore(path);
    const { conversationId } = await store.receive(message('m1'), decide);
    withRawDb(path, (db) => db.prepare("UPDATE conversations SET status = 'bogus' WHERE id = ?").run(conversationId));
    await expect(store.get(conversationId)).rejects.toThrow(/status/);
    await store.close();
  });
});

const childScript = fileURLToPath(new URL('../support/sqlite-writer-child.ts', import.meta.url));
const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

function lastAcknowledged(output: string): number {
  const counts = [...output.matchAll(/^done (\d+)$/gm)].map((match) => Number(match[1]));
  return Math.max(0, ...counts);
}

/** Runs the writer child, SIGKILLs it once `killAfter` messages were acknowledged; resolves with every acknowledged count. */
function writeThenKill(path: string, count: number, killAfter: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript, path, String(count)], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (lastAcknowledged(out) >= killAfter) child.kill('SIGKILL');
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    child.on('error', reject);
    // 'close' waits for stdout to drain, so every acknowledgement written before the kill is counted.
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL') resolve(lastAcknowledged(out));
      else reject(new Error(`writer exited with ${code}: ${err}`));
    });
  });
}

async function inboundTexts(path: string): Promise<string[]> {
  const store = createSqliteConversationStore(path);
  try {
    const [conversation] = await store.list({ participant: '+15550000009' });
    if (conversation === undefined) return [];
    const detail = await store.get(conversation.id);
    return (detail?.transcript ?? []).filter((entry) => entry.direction === 'in').map((entry) => entry.text);
  } finally {
    await store.close();
  }
}

const texts = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `message ${from + i}`);

describe('sqlite durability under SIGKILL', () => {
  it('keeps every acknowledged message after the writer is killed while idle', async () => {
    const path = tempDbPath();
    const acknowledged = await writeThenKill(path, 30, 30);
    expect(acknowledged).toBe(30);
    // Killed with the connection open: the data lives in the WAL, which the next open must recover.
    expect(existsSync(`${path}-wal`)).toBe(true);
    expect(await inboundTexts(path)).toEqual(texts(1, 30));
  });

  it('keeps every acknowledged message after the writer is killed mid-stream', async () => {
    const path = tempDbPath();
    const acknowledged = await writeThenKill(path, 100_000, 25);
    expect(acknowledged).toBeGreaterThanOrEqual(25);
    const stored = await inboundTexts(path);
    // At most one more: a commit that landed before its "done" line was printed.
    expect(stored.length).toBeGreaterThanOrEqual(acknowledged);
    expect(stored.length).toBeLessThanOrEqual(acknowledged + 1);
    expect(stored).toEqual(texts(1, stored.length));
  });
});
