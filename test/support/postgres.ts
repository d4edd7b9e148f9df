import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe } from 'vitest';

// Tests that need PostgreSQL read TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test),
// work in a schema of their own per run, and drop it afterwards. Without the variable (or without
// a server) they say so loudly and are skipped; under CI=true that is a failure instead.

const url = process.env.TEST_DATABASE_URL;
const inCi = process.env.CI === 'true';

async function reachable(target: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: target, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const unreachable = url === undefined ? 'TEST_DATABASE_URL is not set' : await reachable(url);
if (unreachable !== null && inCi) {
  throw new Error(
    `PostgreSQL tests cannot run under CI: ${unreachable}. .ci/run sets TEST_DATABASE_URL and starts PostgreSQL.`,
  );
}

/** The URL of the test database, or null when the PostgreSQL tests are not run here. */
const testDatabaseUrl: string | null = unreachable === null ? (url ?? null) : null;

/**
 * `describe` when PostgreSQL is there; otherwise a warning and a skipped suite titled "NOT RUN: ...",
 * so a developer's run shows what it did not check.
 */
export function describePostgres(title: string, body: (databaseUrl: string) => void): void {
  if (testDatabaseUrl === null) {
    console.warn(
      `NOT RUN: ${title} (PostgreSQL: ${unreachable}). Set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run it.`,
    );
    describe.skip(`NOT RUN: ${title} (needs TEST_DATABASE_URL and a PostgreSQL server)`, () => {
      body('postgres://not-run');
    });
    return;
  }
  describe(title, () => body(testDatabaseUrl));
}

/** `databaseUrl` with its search_path set to `schema`: a store opened with it lives there. */
function withSchema(databaseUrl: string, schema: string): string {
  const parsed = new URL(databaseUrl);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

/** Fresh schemas in the test database, each dropped (with everything in it) by `dropAll`. */
export function createSchemas(databaseUrl: string): { fresh(): Promise<string>; dropAll(): Promise<void> } {
  const run = `t_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const created: string[] = [];
  async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }
  let swept = false;
  /** Schemas a run killed before its afterAll left behind, named by their start time: gone after 2 hours. */
  async function sweepStale(client: pg.Client): Promise<void> {
    if (swept) return;
    swept = true;
    const { rows } = await client.query<{ nspname: string }>(
      "SELECT nspname FROM pg_namespace WHERE nspname ~ '^t_[0-9a-z]+_[0-9a-f]{6}_[0-9]+$'",
    );
    const stale = rows
      .map((row) => row.nspname)
      .filter((name) => Date.now() - parseInt(name.split('_')[1] ?? '', 36) > 2 * 60 * 60_000);
    // Another test file may be sweeping the same ones at this moment: its drop is as good as ours.
    // One at a time, as in dropAll.
    for (const schema of stale) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
  }
  return {
    async fresh() {
      const schema = `${run}_${created.length}`;
      created.push(schema);
      await admin(async (client) => {
        await sweepStale(client);
        await client.query(`CREATE SCHEMA ${schema}`);
      });
      return withSchema(databaseUrl, schema);
    },
    async dropAll() {
      const schemas = created.splice(0);
      if (schemas.length === 0) return;
      // One schema per statement: dropping them all at once takes a lock per table, index and
      // sequence in one transaction, past the server's lock table (out of shared memory).
      await admin(async (client) => {
        for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      });
    },
  };
}
