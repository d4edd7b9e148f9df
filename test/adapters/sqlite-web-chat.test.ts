import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createSqliteConversationStore } from '../../src/adapters/sqlite/sqlite-conversation-store.js';
import { describeWebChatContract } from '../contract/web-chat.contract.js';

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describeWebChatContract('sqlite (connections to one file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-web-chat-'));
  tempDirs.push(dir);
  const path = join(dir, 'web.db');
  return { open: () => createSqliteConversationStore(path) };
});
