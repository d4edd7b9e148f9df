/**
 * Measures the SMS webhook end to end on this machine: signed Twilio requests over loopback into
 * the real server and store, three texts per conversation. Prints latency percentiles, throughput
 * and memory. Usage: npm run bench [-- --conversations 300 --concurrency 8]
 *
 * `--db postgres` (issue 10) runs the bot as processes instead: SQLite with one instance, then
 * PostgreSQL with one and with three instances on one database (requests spread round-robin, no
 * sticky sessions), and prints the three side by side. The database is BENCH_DATABASE_URL or
 * TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in a schema of its own that
 * is dropped afterwards.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../src/adapters/log/create-logger.js';
import { compose } from '../src/compose.js';
import { parseConfig } from '../src/config.js';
import { benchInstances } from './instances.js';

const { values } = parseArgs({
  options: {
    conversations: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '8' },
    db: { type: 'string', default: 'sqlite' },
  },
});
const conversations = Number(values.conversations);
const concurrency = Number(values.concurrency);
export const TOKEN = 'bench-token';
export const BASE = 'https://bench.example.test';

function sign(params: Record<string, string>): string {
  const payload = Object.keys(params).sort().reduce((acc, k) => acc + k + params[k], `${BASE}/twilio/sms`);
  return createHmac('sha1', TOKEN).update(payload).digest('base64');
}

async function text(url: string, from: string, body: string): Promise<number> {
  const params = { MessageSid: `SM${randomBytes(16).toString('hex')}`, From: from, To: '+15005550006', Body: body };
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': sign(params) },
    body: new URLSearchParams(params).toString(),
  });
  await res.text();
  if (res.status !== 200) throw new Error(`status ${res.status}`);
  return performance.now() - started;
}

/** Drives `conversations` three-text conversations at `concurrency` through `urls`, each text to the next URL in turn. */
async function load(urls: string[]) {
  const latencies: number[] = [];
  let next = 0;
  let turn = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < conversations) {
        const from = `+1415${String(1_000_000 + next++).slice(1)}`;
        for (const body of ['hi', 'we run payroll for restaurants', 'their CFO asked']) {
          latencies.push(await text(urls[turn++ % urls.length] ?? '', from, body));
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => Number(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]?.toFixed(1));
  return {
    requests: latencies.length,
    seconds: Number(seconds.toFixed(2)),
    requestsPerSecond: Math.round(latencies.length / seconds),
    latencyMs: { p50: pct(50), p95: pct(95), p99: pct(99), max: Number(latencies.at(-1)?.toFixed(1)) },
  };
}

if (values.db === 'postgres') {
  const rows = [];
  for (const setup of [
    { store: 'sqlite', instances: 1 },
    { store: 'postgres', instances: 1 },
    { store: 'postgres', instances: 3 },
  ] as const) {
    const running = await benchInstances(setup.store, setup.instances, { token: TOKEN, base: BASE });
    try {
      rows.push({ ...setup, concurrency, ...(await load(running.urls)), rssMiB: await running.rssMiB() });
    } finally {
      await running.stop();
    }
  }
  console.log(JSON.stringify(rows, null, 2));
  console.table(
    rows.map((row) => ({ store: row.store, instances: row.instances, 'req/s': row.requestsPerSecond, 'p50 ms': row.latencyMs.p50, 'p99 ms': row.latencyMs.p99 })),
  );
} else {
  const config = parseConfig({
    TWILIO_AUTH_TOKEN: TOKEN,
    PUBLIC_BASE_URL: BASE,
    DATABASE_URL: `file:${join(mkdtempSync(join(tmpdir(), 'soc-bench-')), 'bench.db')}`,
  });
  const app = compose(config, { logger: createLogger('silent') });
  const server = app.http.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const result = await load([`http://127.0.0.1:${(server.address() as AddressInfo).port}/twilio/sms`]);
  const memory = process.memoryUsage();
  console.log(
    JSON.stringify(
      { ...result, concurrency, rssMiB: Math.round(memory.rss / 2 ** 20), heapUsedMiB: Math.round(memory.heapUsed / 2 ** 20) },
      null,
      2,
    ),
  );
  server.close();
  await app.store.close();
}
