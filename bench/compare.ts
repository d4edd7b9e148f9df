import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { freshDatabase, type BenchDatabase, type BenchStore } from './databases.js';
import { runLoad, type LoadResult } from './load.js';
import { startProcess, type BenchProcess } from './processes.js';
import { createSlackTraffic } from './slack-traffic.js';
import { createSmsTraffic } from './sms-traffic.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TOKEN = 'bench-auth-token-0123456789abcdef';
const BASE = 'https://bench.example.test';
const SLACK_SECRET = 'bench-slack-signing-secret';

export interface CompareOptions {
  store: BenchStore;
  /** Length of each measured run. */
  seconds: number;
  /** Alternating rounds of quickstart and bot; medians are reported. */
  rounds: number;
  connections: number;
  /** Distinct senders in the SMS load. */
  senders: number;
  /** Conversation counts at which RSS is read, on a fresh bot. */
  rssAt: number[];
  /** A git ref to build and run beside the current tree ("today"), for before/after figures. */
  baseline?: string;
  /** Also run the current tree with DECIDE_THREAD=off (texts decided in place), as a contender of its own. */
  inPlace?: boolean;
  /**
   * Load each server takes before its first measured round, and each bot before its Slack acks are
   * measured: a fresh node process spends its first tens of seconds compiling hot code (TurboFan,
   * on V8's helper threads), and the figures sought are a running server's.
   */
  warmupSeconds: number;
}

const load1 = () => Number(loadavg()[0]?.toFixed(2));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

function build(root: string): void {
  const result = spawnSync(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`build failed in ${root}`);
}

/**
 * The working tree as it is now (sources, flows, build script and configs), built in a temp
 * directory with this checkout's node_modules: edits made while the bench runs do not reach it.
 */
export function snapshotTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'soc-bench-tree-'));
  for (const part of ['src', 'flows', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) {
    cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  build(dir);
  return dir;
}

/**
 * The node flags `npm start` runs the bot with in `root` (its package.json's start script, e.g.
 * `exec node --max-semi-space-size=8 dist/main.js`), so the bench measures the bot as it runs.
 */
export function startFlags(root: string): string[] {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: { start?: string } };
  const words = (scripts?.start ?? '').split(/\s+/);
  return words.slice(words.indexOf('node') + 1, words.indexOf('dist/main.js')).filter((w) => w.startsWith('--'));
}

/** The tree at `ref`, built in a temp directory with this checkout's node_modules. */
function buildBaseline(ref: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'soc-bench-baseline-'));
  const archive = spawnSync('sh', ['-c', 'git archive "$1" | tar -x -C "$2"', 'sh', ref, dir], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (archive.status !== 0) throw new Error(`cannot check out ${ref}`);
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  build(dir);
  return dir;
}

interface Contender {
  name: string;
  start(): Promise<BenchProcess>;
}

interface Bot extends Contender {
  root: string;
}

function botContender(
  name: string,
  root: string,
  store: BenchStore,
  logDir: string,
  slackApiUrl?: string,
  env: Record<string, string> = {},
): Bot & { databases: BenchDatabase[] } {
  const databases: BenchDatabase[] = [];
  let started = 0;
  return {
    name,
    root,
    databases,
    async start() {
      const database = await freshDatabase(store);
      databases.push(database);
      started += 1;
      return startProcess(
        [...startFlags(root), 'dist/main.js'],
        {
          DATABASE_URL: database.url,
          TWILIO_AUTH_TOKEN: TOKEN,
          PUBLIC_BASE_URL: BASE,
          SLACK_SIGNING_SECRET: SLACK_SECRET,
          SLACK_BOT_TOKEN: 'xoxb-bench',
          SLACK_API_URL: slackApiUrl ?? 'http://127.0.0.1:9/api/',
          LOG_LEVEL: 'info',
          ...env,
        },
        join(logDir, `${name.replace(/\W+/g, '-')}-${started}.log`),
        root,
      );
    },
  };
}

function quickstartContender(logDir: string): Contender {
  return {
    name: 'quickstart',
    start: () =>
      startProcess(
        ['bench/quickstart.mjs'],
        { TWILIO_AUTH_TOKEN: TOKEN, PUBLIC_BASE_URL: BASE },
        join(logDir, 'quickstart.log'),
        ROOT,
      ),
  };
}

interface Measured extends LoadResult {
  cpuUsPerRequest: number;
  /** The main thread's share: what bounds a server whose event loop is the busiest thread. */
  mainCpuUsPerRequest: number;
  load: number;
}

async function measure(
  process: BenchProcess,
  traffic: ReturnType<typeof createSmsTraffic>,
  connections: number,
  seconds: number,
): Promise<Measured> {
  const load = load1();
  const cpuBefore = process.cpuMs();
  const mainBefore = process.mainThreadCpuMs();
  const result = await runLoad({ origin: process.origin, connections, seconds, next: traffic.next });
  const perRequest = (ms: number) => Math.round((ms * 1000) / Math.max(1, result.requests));
  return {
    ...result,
    cpuUsPerRequest: perRequest(process.cpuMs() - cpuBefore),
    mainCpuUsPerRequest: perRequest(process.mainThreadCpuMs() - mainBefore),
    load,
  };
}

/** A table row: the name padded to `width` (the longest name's, at least 34), then the figures. */
const row = (cells: Array<string | number>, width = 34) =>
  cells.map((cell, i) => String(cell).padEnd(i === 0 ? width : 12)).join('');

/**
 * Issue 11's table: the SMS webhook against the stateless Twilio quickstart, alternating, at
 * `connections` and at 1; Slack acks at 50 concurrent events; RSS as conversations grow; and a
 * kill -9 mid-load after which every message answered 200 must be in the database. Every server
 * is its own process (the bot from its compiled build, as npm start runs it, of a snapshot of the
 * tree taken at the start); the load comes from
 * this one.
 */
export async function compare(options: CompareOptions): Promise<void> {
  const logDir = mkdtempSync(join(tmpdir(), 'soc-bench-logs-'));
  const loads: number[] = [load1()];
  console.log(`bench: ${cpus().length} cores, load average ${loads[0]} at start; server logs in ${logDir}`);
  const treeRoot = snapshotTree();
  const baselineRoot = options.baseline === undefined ? undefined : buildBaseline(options.baseline);

  const slack = await createSlackTraffic({ signingSecret: SLACK_SECRET, senders: 50 });
  const baselineSlack =
    baselineRoot === undefined ? undefined : await createSlackTraffic({ signingSecret: SLACK_SECRET, senders: 50 });
  const bot = botContender(`bot (${options.store})`, treeRoot, options.store, logDir, slack.apiUrl);
  const baseline =
    baselineRoot === undefined
      ? undefined
      : botContender(`bot at ${options.baseline}`, baselineRoot, options.store, logDir, baselineSlack?.apiUrl);
  const inPlaceSlack =
    options.inPlace === true ? await createSlackTraffic({ signingSecret: SLACK_SECRET, senders: 50 }) : undefined;
  const inPlace =
    inPlaceSlack === undefined
      ? undefined
      : botContender(
          `bot (${options.store}, DECIDE_THREAD=off)`,
          treeRoot,
          options.store,
          logDir,
          inPlaceSlack.apiUrl,
          {
            DECIDE_THREAD: 'off',
          },
        );
  const bots = [
    { bot, slack },
    ...(baseline && baselineSlack ? [{ bot: baseline, slack: baselineSlack }] : []),
    ...(inPlace && inPlaceSlack ? [{ bot: inPlace, slack: inPlaceSlack }] : []),
  ];
  const contenders: Contender[] = [quickstartContender(logDir), ...bots.map((b) => b.bot)];
  const running = new Map<Contender, BenchProcess>();
  const traffic = new Map(
    contenders.map((c, run) => [c, createSmsTraffic({ token: TOKEN, base: BASE, senders: options.senders, run })]),
  );
  const results = new Map(contenders.map((c) => [c, { many: [] as Measured[], one: [] as Measured[] }]));
  const stopAll = async () => {
    await Promise.all([...running.values()].map((p) => p.stop()));
    running.clear();
  };
  try {
    for (const contender of contenders) running.set(contender, await contender.start());
    const trafficOf = (c: Contender) =>
      traffic.get(c) ?? createSmsTraffic({ token: TOKEN, base: BASE, senders: options.senders, run: 9 });
    const processOf = (c: Contender) => {
      const p = running.get(c);
      if (p === undefined) throw new Error(`${c.name} is not running`);
      return p;
    };
    for (const contender of contenders) {
      const warm = await measure(
        processOf(contender),
        trafficOf(contender),
        options.connections,
        options.warmupSeconds,
      );
      console.log(`warm-up ${contender.name} at ${options.connections}: ${JSON.stringify(warm)}`);
    }
    for (let round = 1; round <= options.rounds; round += 1) {
      for (const contender of contenders) {
        const measured = await measure(
          processOf(contender),
          trafficOf(contender),
          options.connections,
          options.seconds,
        );
        results.get(contender)?.many.push(measured);
        console.log(`round ${round} ${contender.name} at ${options.connections}: ${JSON.stringify(measured)}`);
      }
    }
    for (let round = 1; round <= options.rounds; round += 1) {
      for (const contender of contenders) {
        const measured = await measure(processOf(contender), trafficOf(contender), 1, options.seconds);
        results.get(contender)?.one.push(measured);
        console.log(`round ${round} ${contender.name} at 1: ${JSON.stringify(measured)}`);
      }
    }
    loads.push(load1());
    const acks = new Map<Contender, LoadResult & { load: number; replies: number }>();
    for (const { bot: contender, slack: stand } of bots) {
      const warm = await runLoad({
        origin: processOf(contender).origin,
        connections: 50,
        seconds: options.warmupSeconds,
        next: stand.next,
      });
      console.log(`warm-up slack ${contender.name}: ${JSON.stringify(warm)}`);
      const load = load1();
      const before = stand.replies();
      const result = await runLoad({
        origin: processOf(contender).origin,
        connections: 50,
        seconds: options.seconds,
        next: stand.next,
      });
      // Replies go out after the ack (at most eight events handled at once): count them once the
      // ones still in flight have landed, or after 3 s.
      for (let waited = 0; stand.replies() - before < result.requests && waited < 3000; waited += 50) await sleep(50);
      acks.set(contender, { ...result, load, replies: stand.replies() - before });
      console.log(`slack ${contender.name}: ${JSON.stringify(acks.get(contender))}`);
    }
    await stopAll();

    const rss = new Map<Contender, Array<{ conversations: number; rssMiB: number; load: number }>>();
    for (const { bot: contender } of bots) {
      const fresh = await contender.start();
      running.set(contender, fresh);
      const conversations = createSmsTraffic({ token: TOKEN, base: BASE, senders: options.senders, run: 20 });
      const readings: Array<{ conversations: number; rssMiB: number; load: number }> = [];
      for (const target of options.rssAt) {
        await runLoad({
          origin: fresh.origin,
          connections: options.connections,
          next: conversations.next,
          stopped: () => conversations.completed() >= target,
        });
        await sleep(500);
        readings.push({ conversations: conversations.completed(), rssMiB: fresh.rssMiB(), load: load1() });
        console.log(`rss ${contender.name}: ${JSON.stringify(readings.at(-1))}`);
      }
      rss.set(contender, readings);
      await stopAll();
    }

    const killed = await killMidLoad(bot, options);
    loads.push(load1());
    printTable(options, { contenders, results, acks, rss, killed, loads, quickstart: contenders[0], bot });
  } finally {
    await stopAll();
    for (const stand of bots.map((b) => b.slack)) await stand.close();
    for (const database of bots.flatMap((b) => b.bot.databases)) await database.drop().catch(() => undefined);
  }
}

/** Load on a fresh bot, kill -9 after 2 s, start it again on the same database, stop it, and count what it kept. */
async function killMidLoad(bot: ReturnType<typeof botContender>, options: CompareOptions) {
  const victim = await bot.start();
  const database = bot.databases.at(-1);
  const answered: string[] = [];
  const traffic = createSmsTraffic({
    token: TOKEN,
    base: BASE,
    senders: options.senders,
    run: 30,
    onAnswered: (sid) => answered.push(sid),
  });
  let dead = false;
  const killer = sleep(2000).then(async () => {
    await victim.kill();
    dead = true;
  });
  await runLoad({
    origin: victim.origin,
    connections: options.connections,
    seconds: 10,
    next: traffic.next,
    stopped: () => dead,
  });
  await killer;
  const { args, env, cwd } = victim.launch;
  // Starting again proves the database opens after the crash; the count is read once it stopped.
  await (await startProcess(args, env, `${victim.logPath}.restart`, cwd)).stop();
  const kept = (await database?.countKept(answered)) ?? 0;
  console.log(`kill -9: ${answered.length} answered 200, ${kept} in the database after restart`);
  return { answered: answered.length, kept };
}

function printTable(
  options: CompareOptions,
  data: {
    contenders: Contender[];
    results: Map<Contender, { many: Measured[]; one: Measured[] }>;
    acks: Map<Contender, LoadResult & { load: number; replies: number }>;
    rss: Map<Contender, Array<{ conversations: number; rssMiB: number; load: number }>>;
    killed: { answered: number; kept: number };
    loads: number[];
    quickstart: Contender | undefined;
    bot: Contender;
  },
): void {
  const lines: string[] = [];
  lines.push('');
  lines.push(
    `SOC Advisor bench, ${options.store}: ${options.rounds} alternating rounds of ${options.seconds} s, medians; load average ${data.loads.join(' -> ')}`,
  );
  const width = Math.max(34, ...data.contenders.map((c) => c.name.length + 10));
  lines.push(row(['', 'req/s', 'p50 ms', 'p99 ms', 'CPU us/req', 'main us/req', 'load'], width));
  const summary = (measured: Measured[]) => ({
    rps: median(measured.map((m) => m.requestsPerSecond)),
    p50: median(measured.map((m) => m.latencyMs.p50)),
    p99: median(measured.map((m) => m.latencyMs.p99)),
    cpu: median(measured.map((m) => m.cpuUsPerRequest)),
    main: median(measured.map((m) => m.mainCpuUsPerRequest)),
    load: median(measured.map((m) => m.load)),
  });
  for (const connections of [options.connections, 1]) {
    for (const contender of data.contenders) {
      const measured = data.results.get(contender)?.[connections === 1 ? 'one' : 'many'] ?? [];
      const s = summary(measured);
      lines.push(row([`${contender.name}, ${connections} conn`, s.rps, s.p50, s.p99, s.cpu, s.main, s.load], width));
    }
  }
  const quick = data.quickstart ? summary(data.results.get(data.quickstart)?.many ?? []) : undefined;
  for (const contender of data.contenders.slice(1)) {
    const s = summary(data.results.get(contender)?.many ?? []);
    lines.push(
      `${contender.name} / quickstart at ${options.connections} connections: ${quick ? (s.rps / quick.rps).toFixed(2) : '?'}x`,
    );
  }
  for (const [contender, ack] of data.acks) {
    lines.push(
      `Slack acks, ${contender.name}, 50 concurrent events: p50 ${ack.latencyMs.p50} ms, p99 ${ack.latencyMs.p99} ms, max ${ack.latencyMs.max} ms (${ack.requests} events, ${ack.replies} replies, load ${ack.load})`,
    );
  }
  for (const [contender, readings] of data.rss) {
    lines.push(
      `RSS, ${contender.name}: ${readings.map((r) => `${r.rssMiB} MiB after ${r.conversations} conversations (load ${r.load})`).join(', ')}`,
    );
  }
  const missing = data.killed.answered - data.killed.kept;
  lines.push(
    `kill -9 mid-load: ${data.killed.answered} answered 200, ${data.killed.kept} in the database after a restart: ${missing === 0 ? 'none lost' : `${missing} LOST`}`,
  );
  console.log(lines.join('\n'));
}
