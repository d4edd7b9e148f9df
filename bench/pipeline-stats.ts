/**
 * `npx tsx bench/pipeline-stats.ts` (issue 13): how long GET /admin/api/stats takes for a month
 * holding 10,000 conversations, through the real app on a SQLite file (`--store postgres` for
 * PostgreSQL at BENCH_DATABASE_URL or TEST_DATABASE_URL, in a schema of its own, dropped after).
 * The conversations are written straight into the table (the bench measures the read, not 10,000
 * webhooks); `--conversations 10000 --runs 20` size it. Prints the median and the slowest run.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createLogger } from '../src/adapters/log/create-logger.js';
import { compose } from '../src/compose.js';
import { parseConfig } from '../src/config.js';

const { values } = parseArgs({
  options: {
    conversations: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '20' },
    store: { type: 'string', default: 'sqlite' },
  },
});
const COUNT = Number(values.conversations);
const RUNS = Number(values.runs);
const TOKEN = randomBytes(32).toString('hex');
/** 2026-01-01 to 2026-01-30 in Los Angeles. */
const FROM = Date.UTC(2026, 0, 1, 8);
const SPAN = 30 * 24 * 60 * 60_000;

/** One conversation's columns: a spread of statuses, answers, verdicts and flags over the month. */
function row(i: number): unknown[] {
  const created = FROM + Math.floor((i / COUNT) * SPAN);
  const verdict = [null, 'soc1', 'soc2', 'both'][i % 4] ?? null;
  const flags = i % 5 === 0 ? ['cost'] : i % 7 === 0 ? ['human', 'both'] : [];
  const status = flags.length > 0 ? 'waiting' : i % 11 === 0 ? 'closed' : 'bot';
  const answers = { product: i % 3 === 0 ? null : 'payroll software', asker: i % 2 === 0 ? 'their IT team' : null };
  return [
    'sms',
    `+1415${String(5_000_000 + i).padStart(7, '0')}`,
    status,
    verdict === null && status === 'bot' ? 'product' : null,
    JSON.stringify(answers),
    verdict,
    JSON.stringify(flags),
    created,
    created + 60_000,
    flags.length > 0 ? created + 30_000 : null,
    i % 10 === 0 ? created + 45 * 60_000 : null,
  ];
}

const COLUMNS =
  'channel, participant, status, awaiting, answers, verdict, flags, created_at, updated_at, flagged_at, advisor_replied_at';

function seedSqlite(path: string): void {
  const db = new Database(path);
  const insert = db.prepare(
    `INSERT INTO conversations (${COLUMNS}, conversation_key, side, snapshot, machine_version, version)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'k', 'client', '{}', 1, 1)`,
  );
  db.transaction(() => {
    for (let i = 0; i < COUNT; i++) insert.run(...row(i));
  })();
  db.close();
}

async function seedPostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('BEGIN');
  for (let i = 0; i < COUNT; i++) {
    await client.query(
      `INSERT INTO conversations (${COLUMNS}, conversation_key, side, snapshot, machine_version, version)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7::jsonb, $8, $9, $10, $11, 'k', 'client', '{}', 1, 1)`,
      row(i),
    );
  }
  await client.query('COMMIT');
  await client.end();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-pipeline-'));
  let databaseUrl = `file:${join(dir, 'bench.db')}`;
  let schema: string | null = null;
  const admin =
    process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  if (values.store === 'postgres') {
    schema = `bench_pipeline_${randomBytes(3).toString('hex')}`;
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.end();
    const url = new URL(admin);
    url.searchParams.set('options', `-c search_path=${schema}`);
    databaseUrl = url.toString();
  }
  const config = parseConfig({
    DATABASE_URL: databaseUrl,
    ADMIN_TOKEN: TOKEN,
    TZ: 'America/Los_Angeles',
    LOG_LEVEL: 'silent',
  });
  const composed = compose(config, { logger: createLogger('silent') });
  await composed.store.ping();
  const seeding = Date.now();
  if (values.store === 'postgres') await seedPostgres(databaseUrl);
  else seedSqlite(databaseUrl.slice('file:'.length));
  console.log(`seeded ${COUNT} conversations in ${Date.now() - seeding} ms (${values.store})`);

  const server: Server = await new Promise((resolve) => {
    const s = composed.http.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/admin/api/stats?from=2026-01-01&to=2026-01-30`;
  const times: number[] = [];
  const cpu: number[] = [];
  let started = 0;
  for (let i = 0; i <= RUNS; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const res = await fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` } });
    const body = (await res.json()) as { funnel: { started: number } };
    const used = process.cpuUsage(c0);
    // The first run warms the statement cache. CPU time (this process: the app and the request) is
    // beside the wall clock because a busy machine stretches the latter.
    if (i > 0) {
      times.push(performance.now() - t0);
      cpu.push((used.user + used.system) / 1000);
    }
    started = body.funnel.started;
  }
  cpu.sort((a, b) => a - b);
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? 0;
  console.log(
    `GET /admin/api/stats, 30 days, ${started} conversations: median ${median.toFixed(1)} ms, slowest ${(times.at(-1) ?? 0).toFixed(1)} ms over ${RUNS} runs (goal: under 200 ms); CPU median ${(cpu[Math.floor(cpu.length / 2)] ?? 0).toFixed(1)} ms; load average ${loadavg()[0]?.toFixed(1)}`,
  );
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await composed.store.close();
  rmSync(dir, { recursive: true, force: true });
  if (schema !== null) {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    await client.query(`DROP SCHEMA ${schema} CASCADE`);
    await client.end();
  }
}

await main();
