/**
 * `npm run bench` (issue 11): the SMS webhook against the stateless Twilio quickstart (express,
 * twilio.webhook(), MessagingResponse, nothing stored), each its own process, alternating rounds at
 * 50 connections and at 1; Slack acks at 50 concurrent events; RSS after 2,500, 10,000 and 30,000
 * conversations; kill -9 mid-load. Prints one table (see bench/compare.ts). Options:
 * `--seconds 8 --warmup 10 --rounds 3 --connections 50 --senders 500 --rss-at 2500,10000,30000`,
 * `--store postgres` for the same table on PostgreSQL (TEST_DATABASE_URL), `--baseline <git ref>`
 * to run that commit's build beside the current tree, and `--in-place` to also run the current
 * tree with DECIDE_THREAD=off (texts decided on the main thread).
 *
 * `--db postgres` (issue 10) runs the bot as processes instead: SQLite with one instance, then
 * PostgreSQL with one and with three instances on one database (requests spread round-robin, no
 * sticky sessions), and prints the three side by side. The database is BENCH_DATABASE_URL or
 * TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), in a schema of its own that
 * is dropped afterwards. `--conversations 300 --concurrency 8` size that run.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { compare } from './compare.js';
import { benchInstances } from './instances.js';

const { values } = parseArgs({
  options: {
    conversations: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '8' },
    db: { type: 'string', default: 'sqlite' },
    seconds: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    senders: { type: 'string', default: '500' },
    'rss-at': { type: 'string', default: '2500,10000,30000' },
    store: { type: 'string', default: 'sqlite' },
    baseline: { type: 'string' },
    'in-place': { type: 'boolean', default: false },
  },
});
const conversations = Number(values.conversations);
const concurrency = Number(values.concurrency);
export const TOKEN = 'bench-token';
export const BASE = 'https://bench.example.test';

function sign(params: Record<string, string>): string {
  const payload = Object.keys(params)
    .sort()
    .reduce((acc, k) => acc + k + params[k], `${BASE}/twilio/sms`);
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
  const pct = (p: number) =>
    Number(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]?.toFixed(1));
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
    rows.map((row) => ({
      store: row.store,
      instances: row.instances,
      'req/s': row.requestsPerSecond,
      'p50 ms': row.latencyMs.p50,
      'p99 ms': row.latencyMs.p99,
    })),
  );
} else {
  if (values.store !== 'sqlite' && values.store !== 'postgres') throw new Error('--store is sqlite or postgres');
  await compare({
    store: values.store,
    seconds: Number(values.seconds),
    warmupSeconds: Number(values.warmup),
    rounds: Number(values.rounds),
    connections: Number(values.connections),
    senders: Number(values.senders),
    rssAt: values['rss-at'].split(',').map(Number),
    ...(values.baseline !== undefined && { baseline: values.baseline }),
    inPlace: values['in-place'],
  });
}
