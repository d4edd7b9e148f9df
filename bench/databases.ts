import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';

/** A fresh, empty database for one bot process: its DATABASE_URL, a way to ask it which message ids it kept, and cleanup. */
export interface BenchDatabase {
  url: string;
  /** How many of `sids` are recorded as handled (processed_inbound), read once the bot has stopped. */
  countKept(sids: string[]): Promise<number>;
  drop(): Promise<void>;
}

export type BenchStore = 'sqlite' | 'postgres';

async function onPostgres<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * SQLite: a file in a new temp directory. PostgreSQL: a schema of its own on BENCH_DATABASE_URL or
 * TEST_DATABASE_URL (postgres://postgres@127.0.0.1:5432/test by default), dropped by `drop`.
 */
export async function freshDatabase(store: BenchStore): Promise<BenchDatabase> {
  if (store === 'sqlite') {
    const path = join(mkdtempSync(join(tmpdir(), 'soc-bench-')), 'bench.db');
    return {
      url: `file:${path}`,
      async countKept(sids) {
        const db = new Database(path, { readonly: true });
        try {
          const find = db.prepare<[string], { n: number }>(
            "SELECT count(*) AS n FROM processed_inbound WHERE provider = 'twilio' AND external_id = ?",
          );
          return sids.reduce((kept, sid) => kept + (find.get(sid)?.n ?? 0), 0);
        } finally {
          db.close();
        }
      },
      drop: async () => undefined,
    };
  }
  const server =
    process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  await onPostgres(server, (client) => client.query(`CREATE SCHEMA ${schema}`));
  const url = new URL(server);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    countKept: (sids) =>
      onPostgres(url.toString(), async (client) => {
        const { rows } = await client.query<{ n: string }>(
          "SELECT count(*) AS n FROM processed_inbound WHERE provider = 'twilio' AND external_id = ANY($1)",
          [sids],
        );
        return Number(rows[0]?.n ?? 0);
      }),
    drop: () => onPostgres(server, (client) => client.query(`DROP SCHEMA ${schema} CASCADE`)).then(() => undefined),
  };
}
