import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteConversationStore } from '../../src/adapters/sqlite/sqlite-conversation-store.js';
import { runSqliteMigrations, sqliteMigrations } from '../../src/adapters/sqlite/sqlite-migrations.js';
import { fakeDecide, inbound, T0 } from '../contract/fake-decide.js';
import { describeRetentionContract } from '../contract/retention.contract.js';

const tempDirs: string[] = [];
function tempDbPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-retention-'));
  tempDirs.push(dir);
  return join(dir, 'conversations.db');
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describeRetentionContract('sqlite (temp file)', () => createSqliteConversationStore(tempDbPath()));

const OPT_OUTS_VERSION = sqliteMigrations.find((m) => m.name.startsWith('retention'))?.version ?? 0;

describe('sqlite retention specifics', () => {
  it('copies the numbers already opted out into opt_outs when it migrates', async () => {
    const path = tempDbPath();
    const db = new Database(path);
    runSqliteMigrations(
      db,
      sqliteMigrations.filter((m) => m.version < OPT_OUTS_VERSION),
    );
    const insert = db.prepare(
      `INSERT INTO conversations (channel, conversation_key, participant, status, answers, flags, snapshot, machine_version,
         version, created_at, updated_at)
       VALUES ('sms', ?, ?, ?, '{"product":null,"asker":null}', '[]', '{}', 1, 1, ?, ?)`,
    );
    insert.run('+15550000001', '+15550000001', 'opted_out', T0, T0);
    insert.run('+15550000001', '+15550000001', 'opted_out', T0, T0 + 5);
    insert.run('+15550000002', '+15550000002', 'closed', T0, T0);
    db.close();

    const store = createSqliteConversationStore(path);
    expect(await store.isOptedOut('sms', '+15550000001')).toBe(true);
    expect(await store.isOptedOut('sms', '+15550000002')).toBe(false);
    // Their conversations can now go: the opt-out stays.
    await store.sweepRetention({ conversationsBefore: T0 + DAY_MS, logsBefore: 0 });
    expect(await store.list({})).toEqual([]);
    expect(await store.isOptedOut('sms', '+15550000001')).toBe(true);
    await store.close();
  });

  it('sweeps a large backlog in several transactions and removes all of it', async () => {
    const store = createSqliteConversationStore(':memory:');
    const { decide } = fakeDecide({ summary: { status: 'closed' } });
    for (let i = 0; i < 1203; i += 1) {
      await store.receive(inbound(`m${i}`, { participant: `+1555${String(i).padStart(7, '0')}` }), decide);
    }
    const removed = await store.sweepRetention({ conversationsBefore: T0 + 1, logsBefore: 0 });
    expect(removed).toMatchObject({ conversations: 1203, messages: 2406, processedInbound: 1203 });
    expect(await store.list({})).toEqual([]);
    await store.close();
  });
});

const DAY_MS = 24 * 60 * 60_000;
