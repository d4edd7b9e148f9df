/**
 * `npx tsx bench/receive-cost.ts`: what one inbound text costs behind the webhook, without HTTP:
 * handleInbound on a fresh SQLite store (decide, the group commit with synchronous=FULL), complete
 * SMS conversations (greeting, product, asker) sent in batches as concurrent connections give them.
 * Prints, per round, CPU µs and wall µs per text and the bytes the process wrote per text; then the
 * bytes allocated per text (V8's sampling heap profiler, collected objects included) and the
 * functions that allocate most. Other work on the machine moves the CPU figures; the allocation
 * figures hold. Options: `--senders 3000 --batch 25 --rounds 5`.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../src/adapters/log/create-logger.js';
import { compose } from '../src/compose.js';
import { parseConfig } from '../src/config.js';
import type { InboundMessage } from '../src/core/conversation.js';

const { values } = parseArgs({
  options: {
    senders: { type: 'string', default: '3000' },
    batch: { type: 'string', default: '25' },
    rounds: { type: 'string', default: '5' },
  },
});
const senders = Number(values.senders);
const batch = Number(values.batch);

const TEXTS = ['hi', 'we run payroll for restaurants', 'their CFO asked'];
const dir = mkdtempSync(join(tmpdir(), 'soc-receive-cost-'));
const composed = compose(parseConfig({ DATABASE_URL: `file:${join(dir, 'bot.db')}`, LOG_LEVEL: 'silent' }), {
  logger: createLogger('silent'),
});

let sent = 0;
/** An SMS as the webhook makes it, from `from`. */
const text = (from: string, body: string): InboundMessage => ({
  channel: 'sms',
  provider: 'twilio',
  externalId: `SM${(sent += 1)}`,
  conversationKey: from,
  participant: from,
  text: body,
  receivedAt: Date.now(),
  region: 'CA',
});

/** Bytes this process has caused to be written to storage so far (Linux). */
const written = (): number => Number(/write_bytes: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? 0);

/** `senders` complete conversations, `batch` senders at a time; each round uses new numbers. */
async function conversations(round: number): Promise<number> {
  let texts = 0;
  for (let first = 0; first < senders; first += batch) {
    for (const body of TEXTS) {
      const from = (i: number) => `+1${2_000_000_000 + round * senders + first + i}`;
      await Promise.all(Array.from({ length: batch }, (_, i) => composed.handleInbound(text(from(i), body))));
      texts += batch;
    }
  }
  return texts;
}

const rounds = Number(values.rounds);
console.log(`receive-cost: ${senders} conversations x ${rounds} rounds, batches of ${batch}; load ${loadavg()[0]}`);
for (let round = 0; round < rounds; round += 1) {
  const bytes = written();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const texts = await conversations(round);
  const used = process.cpuUsage(cpu);
  console.log(
    JSON.stringify({
      round: round + 1,
      cpuUsPerText: Math.round((used.user + used.system) / texts),
      wallUsPerText: Math.round(((performance.now() - started) * 1000) / texts),
      kibWrittenPerText: Math.round(((written() - bytes) / texts / 1024) * 10) / 10,
    }),
  );
}

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}
const session = new Session();
session.connect();
// Collected objects included (node's types do not list these flags yet): what a text allocates, not what stays.
const sampling = {
  samplingInterval: 1024,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
};
await session.post('HeapProfiler.startSampling', sampling);
const texts = await conversations(rounds);
const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } };
const bySelf = new Map<string, number>();
let total = 0;
(function walk(node: ProfileNode) {
  const { functionName, url, lineNumber } = node.callFrame;
  const key = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules\/[^/]+|src)\//, '$1/')}:${lineNumber}`;
  bySelf.set(key, (bySelf.get(key) ?? 0) + node.selfSize);
  total += node.selfSize;
  node.children.forEach(walk);
})(profile.head);
console.log(`allocated per text: ${Math.round(total / texts / 1024)} KiB; most (bytes per text, by function):`);
for (const [key, bytes] of [...bySelf].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
  console.log(`  ${String(Math.round(bytes / texts)).padStart(6)}  ${key}`);
}
await composed.store.close();
