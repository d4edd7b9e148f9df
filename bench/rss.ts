/**
 * `npx tsx bench/rss.ts`: the RSS phase of `npm run bench` alone (a fresh bot, complete SMS
 * conversations at 50 connections, readings at each count), with what the memory is at each
 * reading: RSS beside V8's heap (used and total), external and array buffers, read inside the bot by
 * a preload that answers SIGUSR2. Options: `--rss-at 2500,10000,30000 --connections 50 --senders 500`,
 * `--node-options=--max-semi-space-size=8` (the node flags to run the bot with instead of those of
 * `npm start`), `--expose-gc` (also reads the heap after a full collection: what is live; this
 * changes when the heap grows, so not for the RSS figures), `--snapshots` (a heap snapshot at each
 * reading, in the log directory: compare them to find what grows). DECIDE_THREAD in this process's
 * environment is passed on to the bot (the decide thread's own memory shows as anonymous).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { snapshotTree, startFlags } from './compare.js';
import { freshDatabase } from './databases.js';
import { runLoad } from './load.js';
import { startProcess } from './processes.js';
import { createSmsTraffic } from './sms-traffic.js';

const TOKEN = 'bench-auth-token-0123456789abcdef';
const BASE = 'https://bench.example.test';

const { values } = parseArgs({
  options: {
    'rss-at': { type: 'string', default: '2500,10000,30000' },
    connections: { type: 'string', default: '50' },
    senders: { type: 'string', default: '500' },
    'node-options': { type: 'string' },
    'expose-gc': { type: 'boolean', default: false },
    snapshots: { type: 'boolean', default: false },
  },
});

const dir = mkdtempSync(join(tmpdir(), 'soc-bench-rss-'));
const probe = join(dir, 'probe.cjs');
const report = join(dir, 'memory.json');
writeFileSync(
  probe,
  `process.on('SIGUSR2', () => {
  const v8 = require('node:v8');
  const m = process.memoryUsage();
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, Math.round(s.space_size / 1048576)]));
  const afterGc = typeof global.gc === 'function' ? (global.gc(), process.memoryUsage().heapUsed) : null;
  if (${values.snapshots}) v8.writeHeapSnapshot(require('node:path').join(${JSON.stringify(dir)}, 'at-' + Date.now() + '.heapsnapshot'));
  require('node:fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify({ ...m, afterGc, spaces }));
});
`,
);

const mib = (bytes: number) => Math.round(bytes / 1048576);
const root = snapshotTree();
const flags = [
  ...(values['node-options']?.split(/\s+/).filter(Boolean) ?? startFlags(root)),
  ...(values['expose-gc'] ? ['--expose-gc'] : []),
];
const database = await freshDatabase('sqlite');
const bot = await startProcess(
  [...flags, 'dist/main.js'],
  {
    DATABASE_URL: database.url,
    TWILIO_AUTH_TOKEN: TOKEN,
    PUBLIC_BASE_URL: BASE,
    LOG_LEVEL: 'info',
    ...(process.env.DECIDE_THREAD !== undefined && { DECIDE_THREAD: process.env.DECIDE_THREAD }),
    NODE_OPTIONS: `--require ${probe}`,
  },
  join(dir, 'bot.log'),
  root,
);

/** Resident MiB by kind of mapping, from /proc: malloc's main heap, other anonymous memory (V8's heap, other malloc arenas, stacks), files. */
function mappings(): Record<string, number> {
  const totals: Record<string, number> = { malloc: 0, anonymous: 0, files: 0 };
  let kind = 'anonymous';
  for (const line of readFileSync(`/proc/${bot.child.pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head)
      kind = head[1] === '[heap]' ? 'malloc' : head[1] === '' || head[1]?.startsWith('[') ? 'anonymous' : 'files';
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) totals[kind] = (totals[kind] ?? 0) + Number(rss[1]);
  }
  return Object.fromEntries(Object.entries(totals).map(([k, kb]) => [k, Math.round(kb / 1024)]));
}

async function inside(): Promise<Record<string, unknown>> {
  writeFileSync(report, '');
  bot.child.kill('SIGUSR2');
  for (let tries = 0; tries < 600; tries += 1) {
    await sleep(100);
    const text = readFileSync(report, 'utf8');
    if (text !== '') {
      const m = JSON.parse(text) as {
        heapUsed: number;
        heapTotal: number;
        external: number;
        arrayBuffers: number;
        afterGc: number | null;
        spaces: Record<string, number>;
      };
      return {
        heapUsed: mib(m.heapUsed),
        heapTotal: mib(m.heapTotal),
        ...(m.afterGc !== null && { heapUsedAfterGc: mib(m.afterGc) }),
        external: mib(m.external),
        arrayBuffers: mib(m.arrayBuffers),
        spaces: m.spaces,
      };
    }
  }
  throw new Error('the bot did not answer SIGUSR2');
}

console.log(`rss: logs in ${dir}; node ${flags.join(' ')}; load ${loadavg()[0]?.toFixed(2)}`);
try {
  await sleep(500);
  console.log(JSON.stringify({ conversations: 0, rssMiB: bot.rssMiB(), ...(await inside()) }));
  const traffic = createSmsTraffic({ token: TOKEN, base: BASE, senders: Number(values.senders), run: 20 });
  for (const target of values['rss-at'].split(',').map(Number)) {
    const cpuBefore = bot.cpuMs();
    const result = await runLoad({
      origin: bot.origin,
      connections: Number(values.connections),
      next: traffic.next,
      stopped: () => traffic.completed() >= target,
    });
    const cpuMsPerRequest = ((bot.cpuMs() - cpuBefore) / Math.max(1, result.requests)).toFixed(2);
    await sleep(500);
    const rssMiB = bot.rssMiB();
    console.log(
      JSON.stringify({
        conversations: traffic.completed(),
        rssMiB,
        resident: mappings(),
        ...(await inside()),
        rps: result.requestsPerSecond,
        p99: result.latencyMs.p99,
        cpuMsPerRequest,
        failures: result.failures,
        load: Number(loadavg()[0]?.toFixed(2)),
      }),
    );
  }
} finally {
  await bot.stop();
  await database.drop();
}
