import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/bot-process.js';
import { tempDatabasePath } from '../support/sms-harness.js';
import { createSqliteConversationStore } from '../../src/adapters/sqlite/sqlite-conversation-store.js';
import { shippedFlows } from '../support/flows.js';

function runChat(databasePath: string, input: string, args: string[] = []): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/chat.ts', ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: `file:${databasePath}` },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`chat exited ${code}: ${out}`)))),
  );
}

describe('npm run chat', () => {
  it('chats with the same machine as SMS, with no credentials, and stores it in the same database', async () => {
    const db = tempDatabasePath();
    const { flow } = shippedFlows();
    // Payments plus card data, nobody in particular asking: both, which goes to PJ.
    const out = await runChat(
      db,
      'hi\nwe are a payments platform for marketplaces and we store card data\nnot sure\n',
      ['--from', '+15555550123'],
    );
    expect(out).toMatch(/Texting the bot as \+15555550123/);
    expect(out).toContain(flow.askProduct.question);
    expect(out).toContain(flow.askAsker.question);
    expect(out).toContain(flow.verdict.headline.both);
    expect(out).toMatch(/\[\d segments?, GSM-7\]/);

    const store = createSqliteConversationStore(db);
    const [conversation] = await store.list({ participant: '+15555550123' });
    expect(conversation).toMatchObject({ channel: 'sms', verdict: 'both', status: 'waiting', flags: ['both'] });
    await store.close();
  });

  it('refuses a sender that is not a phone number', async () => {
    await expect(runChat(tempDatabasePath(), 'hi\n', ['--from', 'alice'])).rejects.toThrow(/E\.164/);
  });
});
