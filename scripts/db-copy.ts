/**
 * `npm run db:copy -- --from file:./data/soc-advisor.db --to postgres://...`: moves a SQLite
 * database into an empty PostgreSQL one (issue 10). Stop the bot first. Both are migrated to this
 * build's schema, every row is copied with its id in one PostgreSQL transaction, identity counters
 * continue past the highest id SQLite ever gave (an erased conversation's number is never reused),
 * and the counts are checked before the commit. Opt-outs are never lost: the opt-out list and
 * every conversation that ended opted out are both carried, and checked, or nothing is copied.
 */
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createPostgresStore } from '../src/adapters/postgres/postgres-store.js';
import { createSqliteConversationStore } from '../src/adapters/sqlite/sqlite-conversation-store.js';

interface TableSpec {
  name: string;
  columns: string[];
  /** Columns holding JSON text in SQLite and jsonb in PostgreSQL. */
  json?: string[];
  /** An identity id whose counter must continue after the copied rows. */
  identity?: boolean;
  /** Rows per INSERT, when fewer than BATCH: a table of files (up to 5 MB each) goes a few at a time. */
  batch?: number;
}

/** Every table the store keeps, parents first. A source table missing here stops the copy. */
const TABLES: TableSpec[] = [
  {
    name: 'conversations',
    columns: [
      'id',
      'channel',
      'conversation_key',
      'participant',
      'status',
      'awaiting',
      'answers',
      'verdict',
      'side',
      'flags',
      'snapshot',
      'machine_version',
      'version',
      'remind_at',
      'idle_at',
      'created_at',
      'updated_at',
      'language',
      'flagged_at',
      'advisor_replied_at',
      'verdict_basis',
      'review',
      // Twilio's FromState, for the client's quiet hours where the area code does not place the number.
      'region',
    ],
    json: ['answers', 'flags', 'snapshot', 'verdict_basis', 'review'],
    identity: true,
  },
  {
    name: 'messages',
    columns: ['id', 'conversation_id', 'at', 'direction', 'author', 'text', 'external_id'],
    identity: true,
  },
  {
    // What clients attached, with the files downloaded (TWILIO_FETCH_MEDIA): BLOB to BYTEA as it is.
    name: 'message_media',
    columns: [
      'id',
      'message_id',
      'conversation_id',
      'position',
      'url',
      'content_type',
      'state',
      'attempts',
      'next_attempt_at',
      'claimed_until',
      'size',
      'data',
      'error',
      'created_at',
      'updated_at',
    ],
    identity: true,
    batch: 10,
  },
  {
    name: 'processed_inbound',
    columns: ['provider', 'external_id', 'conversation_id', 'received_at', 'replies'],
    json: ['replies'],
  },
  {
    name: 'outbox',
    columns: [
      'id',
      'conversation_id',
      'destination',
      'destination_key',
      'payload',
      'status',
      'attempts',
      'next_attempt_at',
      'claimed_until',
      'provider_id',
      'delivery_status',
      'error',
      'created_at',
      'updated_at',
      // A text held for the client's quiet hours: it still waits for their morning, and still gives way.
      'not_before',
    ],
    json: ['destination', 'payload'],
    identity: true,
  },
  { name: 'desk_threads', columns: ['conversation_id', 'channel', 'ts'] },
  { name: 'advisor_messages', columns: ['provider', 'external_id', 'received_at', 'answer'] },
  { name: 'opt_outs', columns: ['channel', 'participant', 'opted_out_at'] },
  {
    name: 'web_events',
    columns: ['id', 'session', 'conversation_id', 'message_id', 'at', 'author', 'line', 'seen_at'],
    json: ['line'],
    identity: true,
  },
  { name: 'bot_secrets', columns: ['name', 'value'] },
  { name: 'phone_notices', columns: ['conversation_id', 'at'] },
  // The days PJ's digest was made, so a copied day is not sent twice.
  { name: 'daily_digests', columns: ['day', 'created_at'] },
];
const NOT_COPIED = new Set(['schema_migrations', 'sqlite_sequence']);
const BATCH = 500;

class CopyError extends Error {}

function parseTargets(argv: string[]): { from: string; to: string } {
  const { values } = parseArgs({ args: argv, options: { from: { type: 'string' }, to: { type: 'string' } } });
  const from = values.from ?? '';
  const to = values.to ?? '';
  if (!/^file:./.test(from))
    throw new CopyError(
      '--from must be the SQLite database as in DATABASE_URL, e.g. --from file:./data/soc-advisor.db',
    );
  if (!/^postgres(ql)?:\/\//.test(to))
    throw new CopyError('--to must be the PostgreSQL DATABASE_URL, e.g. --to postgres://user@host:5432/db');
  return { from: from.slice('file:'.length), to };
}

/** NUL is not allowed in PostgreSQL text or jsonb: stored as U+FFFD, as the store does. */
const clean = (value: unknown, json: boolean): unknown =>
  typeof value !== 'string'
    ? value
    : json
      ? value.replaceAll('\\u0000', '\\ufffd')
      : value.replaceAll('\u0000', '\uFFFD');

async function copyTable(source: Database.Database, target: pg.ClientBase, table: TableSpec): Promise<number> {
  const json = new Set(table.json ?? []);
  const placeholders = (row: number) =>
    `(${table.columns.map((column, i) => `$${row * table.columns.length + i + 1}${json.has(column) ? '::jsonb' : ''}`).join(', ')})`;
  const insert = async (rows: unknown[][]) => {
    if (rows.length === 0) return;
    await target.query(
      `INSERT INTO ${table.name} (${table.columns.join(', ')}) ${table.identity ? 'OVERRIDING SYSTEM VALUE ' : ''}` +
        `VALUES ${rows.map((_, i) => placeholders(i)).join(', ')}`,
      rows.flat(),
    );
  };
  let copied = 0;
  let batch: unknown[][] = [];
  const rows = source
    .prepare(`SELECT ${table.columns.join(', ')} FROM ${table.name}`)
    .raw()
    .iterate() as Iterable<unknown[]>;
  for (const row of rows) {
    batch.push(row.map((value, i) => clean(value, json.has(table.columns[i] ?? ''))));
    if (batch.length === (table.batch ?? BATCH)) {
      await insert(batch);
      copied += batch.length;
      batch = [];
    }
  }
  await insert(batch);
  return copied + batch.length;
}

async function count(target: pg.ClientBase, sql: string): Promise<number> {
  return Number((await target.query(sql)).rows[0]?.n ?? 0);
}

/** Copies the SQLite database at `from` into the empty PostgreSQL database at `to`; returns the rows copied per table. */
export async function copyDatabase(from: string, to: string): Promise<Record<string, number>> {
  // Both at this build's schema first: the SQLite file may be from an older release.
  await createSqliteConversationStore(from).close();
  const store = createPostgresStore({ url: to, max: 1 });
  try {
    await store.ready();
  } finally {
    await store.close();
  }

  const source = new Database(from, { readonly: true, fileMustExist: true });
  const target = new pg.Client({ connectionString: to });
  await target.connect();
  try {
    const tables = source.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    const unknown = tables.filter((name) => !NOT_COPIED.has(name) && !TABLES.some((table) => table.name === name));
    if (unknown.length > 0)
      throw new CopyError(
        `the SQLite database has tables db:copy does not know (${unknown.join(', ')}): nothing copied`,
      );
    // A column db:copy does not know (a newer release's) would be dropped without a word: refuse instead.
    for (const table of TABLES) {
      const columns = source.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table.name) as string[];
      const extra = columns.filter((column) => !table.columns.includes(column));
      if (extra.length > 0) {
        throw new CopyError(`${table.name} has columns db:copy does not know (${extra.join(', ')}): nothing copied`);
      }
    }

    // One snapshot of SQLite, one transaction in PostgreSQL: all or nothing.
    source.exec('BEGIN');
    await target.query('BEGIN');
    await target.query(`LOCK TABLE ${TABLES.map((table) => table.name).join(', ')} IN EXCLUSIVE MODE`);
    const present = await count(target, 'SELECT count(*) AS n FROM conversations');
    if (present > 0)
      throw new CopyError(
        `the PostgreSQL database already holds ${present} conversations: db:copy only fills an empty one`,
      );

    const copied: Record<string, number> = {};
    for (const table of TABLES) copied[table.name] = await copyTable(source, target, table);

    // Every sender whose conversation ended opted out is on the opt-out list, whatever the list said.
    await target.query(
      `INSERT INTO opt_outs (channel, participant, opted_out_at)
       SELECT channel, participant, max(updated_at) FROM conversations WHERE status = 'opted_out' GROUP BY channel, participant
       ON CONFLICT (channel, participant) DO NOTHING`,
    );
    const sequences = new Map(
      (source.prepare('SELECT name, seq FROM sqlite_sequence').all() as Array<{ name: string; seq: number }>).map(
        (row) => [row.name, row.seq],
      ),
    );
    for (const table of TABLES.filter((each) => each.identity)) {
      const highest = Math.max(
        sequences.get(table.name) ?? 0,
        await count(target, `SELECT coalesce(max(id), 0) AS n FROM ${table.name}`),
      );
      await target.query(`SELECT setval(pg_get_serial_sequence('${table.name}', 'id'), $1, $2)`, [
        Math.max(highest, 1),
        highest > 0,
      ]);
    }

    for (const table of TABLES) {
      const there = await count(target, `SELECT count(*) AS n FROM ${table.name}`);
      const expected = table.name === 'opt_outs' ? there : (copied[table.name] ?? 0);
      if (there !== expected)
        throw new CopyError(`${table.name}: ${there} rows in PostgreSQL, ${expected} copied: nothing copied`);
    }
    const optedOut = source
      .prepare(
        `SELECT channel, participant FROM opt_outs UNION SELECT channel, participant FROM conversations WHERE status = 'opted_out'`,
      )
      .all() as Array<{ channel: string; participant: string }>;
    for (const sender of optedOut) {
      const kept = await target.query('SELECT 1 FROM opt_outs WHERE channel = $1 AND participant = $2', [
        sender.channel,
        sender.participant,
      ]);
      if (kept.rows.length === 0) throw new CopyError(`an opt-out (${sender.channel}) did not arrive: nothing copied`);
    }
    copied.opt_outs = await count(target, 'SELECT count(*) AS n FROM opt_outs');
    await target.query('COMMIT');
    return copied;
  } catch (error) {
    await target.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    if (source.inTransaction) source.exec('COMMIT');
    source.close();
    await target.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const { from, to } = parseTargets(process.argv.slice(2));
    const copied = await copyDatabase(from, to);
    console.log(
      `db:copy: copied ${from} into PostgreSQL: ${Object.entries(copied)
        .map(([table, n]) => `${table} ${n}`)
        .join(', ')}`,
    );
  } catch (error) {
    console.error(`db:copy: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
