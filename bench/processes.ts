import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** A server the bench started, on a loopback port, its output going to `logPath`. */
export interface BenchProcess {
  origin: string;
  child: ChildProcess;
  logPath: string;
  /** What it was started with, to start it again. */
  launch: { args: string[]; env: Record<string, string>; cwd: string };
  /** Resident memory now, from /proc. */
  rssMiB(): number;
  /** CPU time used so far (user + system), in ms, from /proc. */
  cpuMs(): number;
  /** The same for its main thread alone (the event loop), in ms. */
  mainThreadCpuMs(): number;
  /** SIGTERM and wait for it to exit. */
  stop(): Promise<void>;
  /** SIGKILL: no shutdown of any kind, as a crash. */
  kill(): Promise<void>;
}

const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU time in ms from a /proc stat file (a process's or one thread's). */
function cpuMsOf(statPath: string): number {
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = readFileSync(statPath, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts `args` with node and waits for its "listening on port N" line. */
export async function startProcess(
  args: string[],
  env: Record<string, string>,
  logPath: string,
  cwd: string,
): Promise<BenchProcess> {
  const out = openSync(logPath, 'a');
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', ...env },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const started = Date.now();
  let port: number | undefined;
  while (port === undefined) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}; see ${logPath}`);
    if (Date.now() - started > 120_000) throw new Error(`${args.join(' ')} did not start in 2 minutes; see ${logPath}`);
    await sleep(50);
    const match = /listening on port (\d+)/.exec(readFileSync(logPath, 'utf8'));
    if (match) port = Number(match[1]);
  }
  const pid = child.pid ?? 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    child,
    logPath,
    launch: { args, env, cwd },
    rssMiB: () =>
      Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024),
    cpuMs: () => cpuMsOf(`/proc/${pid}/stat`),
    mainThreadCpuMs: () => cpuMsOf(`/proc/${pid}/task/${pid}/stat`),
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
    },
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
  };
}
