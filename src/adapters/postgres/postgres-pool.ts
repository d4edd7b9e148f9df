import pg from 'pg';
import type { Logger } from '../../core/logger.js';
import { StoreUnavailableError } from '../../core/store-unavailable.js';

/** One connection of the pool, inside a transaction or not. */
export type Queryable = Pick<pg.PoolClient, 'query'>;

export interface PostgresPoolOptions {
  url: string;
  /** DATABASE_POOL_MAX: connections this process may open. */
  max?: number;
  log?: Pick<Logger, 'warn' | 'error'>;
  /** How long one query may go unanswered before it fails as unavailable (10 s). */
  queryTimeoutMs?: number;
}

// NOTE: int8 (BIGINT: ids, epoch-ms times) comes back as a string by default, to be safe past
// 2^53. Ours are ids and milliseconds, far below it, so they are read as numbers.
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export function createPostgresPool(options: PostgresPoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    types,
    // A request must not hang on a database that is gone: it fails (503) and the provider retries.
    connectionTimeoutMillis: 5_000,
    // A server that stops answering without closing the connection fails the query too (503,
    // retried by the provider) instead of holding the request past Twilio's 15 s.
    query_timeout: options.queryTimeoutMs ?? 10_000,
    idleTimeoutMillis: 30_000,
    application_name: 'soc-advisor',
  });
  // NOTE: an idle client whose connection drops emits 'error' on the pool; unhandled, it would
  // end the process. The pool discards that client and opens a new one on the next query.
  pool.on('error', (error) => {
    options.log?.warn({ err: error }, 'PostgreSQL closed an idle connection; the pool reconnects on the next query');
  });
  return pool;
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  // admin_shutdown, crash_shutdown, cannot_connect_now, and the connection_exception class.
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);

/** Whether `error` says the database is out of reach (as opposed to a query it refused). */
function isUnavailable(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : '';
  if (UNAVAILABLE_CODES.has(code)) return true;
  return /Connection terminated|connection timeout|Query read timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection refused/i.test(
    error.message,
  );
}

/** Rethrows a connection failure as StoreUnavailableError; anything else as it is. */
export function asStoreError(error: unknown): unknown {
  if (error instanceof StoreUnavailableError || !isUnavailable(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError(`PostgreSQL is unreachable (${reason}); check DATABASE_URL and the server`, {
    cause: error,
  });
}

// serialization_failure, deadlock_detected, unique_violation: the whole transaction is run again
// on fresh state (decide included: see the decide-once contract in core/ports.ts).
const RETRYABLE = new Set(['40001', '40P01', '23505']);
const MAX_ATTEMPTS = 5;

const isRetryable = (error: unknown): boolean =>
  error instanceof Error && 'code' in error && typeof error.code === 'string' && RETRYABLE.has(error.code);

/**
 * Listens for `error` on a client taken from the pool until `stop`. pg-pool takes its own listener
 * off a client it hands out, and a client whose connection ends emits 'error' even while a query
 * waits: unheard, that ends the process. Heard, the query in flight (or the next one) fails as
 * unavailable, and the holder releases the client as broken so it is not reused.
 */
export function hearErrors(client: pg.PoolClient, onError: (error: Error) => void): { stop(): void } {
  client.on('error', onError);
  return { stop: () => client.off('error', onError) };
}

/**
 * Runs `work` in a READ COMMITTED transaction on one pooled connection and commits; rolls back on
 * a throw. A serialization failure, deadlock or unique violation runs it again, whole.
 */
export async function inTransaction<R>(pool: pg.Pool, work: (tx: Queryable) => Promise<R>): Promise<R> {
  for (let attempt = 1; ; attempt += 1) {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw asStoreError(error);
    }
    let broken: unknown;
    const heard = hearErrors(client, (error) => (broken ??= error));
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      if (isUnavailable(error)) broken = error;
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken ??= rollbackError;
      });
      if (broken === undefined && isRetryable(error) && attempt < MAX_ATTEMPTS) continue;
      throw asStoreError(error);
    } finally {
      heard.stop();
      // A connection that failed mid-transaction is not handed to the next caller.
      client.release(broken instanceof Error ? broken : undefined);
    }
  }
}

/** One statement outside a transaction, with connection failures as StoreUnavailableError. */
export async function queryRows(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<unknown[]> {
  try {
    return (await pool.query(sql, params)).rows;
  } catch (error) {
    throw asStoreError(error);
  }
}

/**
 * Takes the transaction-scoped lock of one conversation (channel and key): messages, PJ's actions
 * and timers for it run one at a time across every instance, in the order they get the lock.
 */
export async function lockConversation(tx: Queryable, channel: string, conversationKey: string): Promise<void> {
  await tx.query(
    "SELECT pg_advisory_xact_lock(hashtextextended(current_schema() || ':conversation:' || $1 || ':' || $2, 0))",
    [channel, conversationKey],
  );
}

/** PostgreSQL refuses NUL in text and jsonb; a text that holds one is stored with U+FFFD instead. */
export function pgText(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text;
}

/** A value as a jsonb parameter (cast with ::jsonb in the statement). */
export function pgJson(value: unknown): string {
  const json = JSON.stringify(value);
  return json.includes('\\u0000') ? json.replaceAll('\\u0000', '\\ufffd') : json;
}
