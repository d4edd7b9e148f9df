import { afterAll } from 'vitest';
import { createPostgresStore } from '../../src/adapters/postgres/postgres-store.js';
import type { HeldTextStore, MediaStore, WebStore } from '../../src/core/ports.js';
import { describeConversationStoreContract } from '../contract/conversation-store.contract.js';
import { describeConversationUpdateContract } from '../contract/conversation-update.contract.js';
import { describeAdvisorLogContract } from '../contract/advisor-log.contract.js';
import { describeDecideOnceContract } from '../contract/decide-once.contract.js';
import { describeHeldTextsContract } from '../contract/held-texts.contract.js';
import { describeMediaContract } from '../contract/media.contract.js';
import { describeMultiInstanceContract } from '../contract/multi-instance.contract.js';
import { describeOutboxContract } from '../contract/outbox.contract.js';
import { describeRetentionContract } from '../contract/retention.contract.js';
import { describeWebChatContract } from '../contract/web-chat.contract.js';
import { createSchemas, describePostgres } from '../support/postgres.js';

// The same contract suites as the SQLite store (sqlite-conversation-store.test.ts), each store in
// a fresh schema of the test database.

describePostgres('PostgreSQL store contracts', (databaseUrl) => {
  const schemas = createSchemas(databaseUrl);
  afterAll(() => schemas.dropAll());

  async function open(url: string): Promise<WebStore & MediaStore & HeldTextStore> {
    const store = createPostgresStore({ url, max: 4 });
    await store.ready();
    return store;
  }
  const fresh = async () => open(await schemas.fresh());

  describeConversationStoreContract('postgres (fresh schema)', fresh);
  describeConversationUpdateContract('postgres (fresh schema)', fresh);
  describeDecideOnceContract('postgres (fresh schema)', fresh);
  describeRetentionContract('postgres (fresh schema)', fresh);
  const shared = () => {
    const url = schemas.fresh();
    return { open: async () => open(await url) };
  };
  describeOutboxContract('postgres (two pools on one schema)', shared);
  describeAdvisorLogContract('postgres (two pools on one schema)', shared);
  describeMultiInstanceContract('postgres (pools on one schema)', shared);
  describeWebChatContract('postgres (pools on one schema)', shared);
  describeMediaContract('postgres (pools on one schema)', shared);
  describeHeldTextsContract('postgres (pools on one schema)', shared);
});
