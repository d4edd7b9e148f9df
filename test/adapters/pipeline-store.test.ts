import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createPostgresStore } from '../../src/adapters/postgres/postgres-store.js';
import { createSqliteConversationStore } from '../../src/adapters/sqlite/sqlite-conversation-store.js';
import { describePipelineContract } from '../contract/pipeline.contract.js';
import { createSchemas, describePostgres } from '../support/postgres.js';

// The pipeline contract on both stores: SQLite in a temp file, PostgreSQL in a fresh schema.

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describePipelineContract('sqlite (temp file)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pipeline-'));
  dirs.push(dir);
  return createSqliteConversationStore(join(dir, 'pipeline.db'));
});

describePostgres('PostgreSQL pipeline contract', (databaseUrl) => {
  const schemas = createSchemas(databaseUrl);
  afterAll(() => schemas.dropAll());
  describePipelineContract('postgres (fresh schema)', async () => {
    const store = createPostgresStore({ url: await schemas.fresh(), max: 2 });
    await store.ready();
    return store;
  });
});
