import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { createPostgresPool, inTransaction } from '../../src/adapters/postgres/postgres-pool.js';
import { StoreUnavailableError } from '../../src/core/store-unavailable.js';
import { describePostgres } from '../support/postgres.js';

describePostgres('the PostgreSQL pool when a connection drops mid-transaction', (databaseUrl) => {
  const pool = createPostgresPool({ url: databaseUrl, max: 2 });
  afterAll(() => pool.end());

  /** Ends a backend from another connection, as a restart or a network cut would. */
  async function terminate(pid: number): Promise<void> {
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    try {
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    } finally {
      await admin.end();
    }
  }

  it('fails the transaction as unavailable instead of ending the process, and the pool goes on', async () => {
    const failing = inTransaction(pool, async (tx) => {
      const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await terminate(rows[0]?.pid ?? 0);
      // The connection ends while no query runs: pg emits 'error' on the client it handed out.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await tx.query('SELECT 1');
    });
    await expect(failing).rejects.toBeInstanceOf(StoreUnavailableError);
    // The broken client was not handed back out.
    expect(await inTransaction(pool, async (tx) => (await tx.query('SELECT 41 + 1 AS n')).rows[0])).toEqual({ n: 42 });
  });
});
