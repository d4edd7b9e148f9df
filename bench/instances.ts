import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

interface Running {
  urls: string[];
  /** Resident memory of every instance, added up. */
  rssMiB(): Promise<number>;
  stop(): Promise<void>;
}

async function startOne(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on port (\d+)/.exec(out);
      if (m) {
        // Only the first lines matter; the rest is drained unread.
        out = '';
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve(Number(m[1]));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`bot exited with ${code}:\n${out}`)));
  });
  return { child, url: `http://127.0.0.1:${port}/twilio/sms` };
}

/** `count` bot processes on a fresh database of `store`'s kind, warmed up; stop() ends them and drops the database. */
export async function benchInstances(
  store: 'sqlite' | 'postgres',
  count: number,
  twilio: { token: string; base: string },
): Promise<Running> {
  let databaseUrl: string;
  let drop = async () => undefined as void;
  if (store === 'sqlite') {
    databaseUrl = `file:${join(mkdtempSync(join(tmpdir(), 'soc-bench-')), 'bench.db')}`;
  } else {
    const server =
      process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    const admin = async (sql: string) => {
      const client = new pg.Client({ connectionString: server });
      await client.connect();
      await client.query(sql).finally(() => client.end());
    };
    await admin(`CREATE SCHEMA ${schema}`);
    drop = () => admin(`DROP SCHEMA ${schema} CASCADE`);
    const url = new URL(server);
    url.searchParams.set('options', `-c search_path=${schema}`);
    databaseUrl = url.toString();
  }
  const env = {
    DATABASE_URL: databaseUrl,
    TWILIO_AUTH_TOKEN: twilio.token,
    PUBLIC_BASE_URL: twilio.base,
    LOG_LEVEL: 'warn',
  };
  // One first, so the migrations are done before the others start; then the rest together.
  const first = await startOne({ ...env, LOG_LEVEL: 'info' });
  const rest = await Promise.all(Array.from({ length: count - 1 }, () => startOne({ ...env, LOG_LEVEL: 'info' })));
  const instances = [first, ...rest];
  return {
    urls: instances.map((instance) => instance.url),
    async rssMiB() {
      let kib = 0;
      for (const { child } of instances) {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        kib += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      }
      return Math.round(kib / 1024);
    },
    async stop() {
      await Promise.all(
        instances.map(
          ({ child }) =>
            new Promise<void>((resolve) => {
              child.on('exit', () => resolve());
              child.kill('SIGTERM');
            }),
        ),
      );
      await drop();
    },
  };
}
