import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { REPO_ROOT } from './bot-process.js';

/** A bot started with `npm start` (build if stale, then `exec node dist/main.js`). */
export interface StartedBot {
  npm: ChildProcess;
  /** The bot's own process (npm's child): what kill -9 is sent to. */
  pid: number;
  baseUrl: string;
  output: () => string;
  exited: Promise<number | null>;
}

function childOf(pid: number): number | null {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    return children.length === 1 ? Number(children[0]) : null;
  } catch {
    return null;
  }
}

/** Runs `npm start` in the project with `env` (PORT=0) and waits until the bot listens. */
export async function npmStart(env: Record<string, string>, timeoutMs = 60_000): Promise<StartedBot> {
  const npm = spawn('npm', ['start'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  npm.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  npm.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => npm.on('close', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      const m = /listening on port (\d+)/.exec(out);
      if (m) {
        clearInterval(timer);
        resolve(Number(m[1]));
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(timer);
        npm.kill('SIGKILL');
        reject(new Error(`npm start did not listen within ${timeoutMs} ms:\n${out}`));
      }
    }, 25);
    void exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`npm start exited with ${code} before listening:\n${out}`));
    });
  });
  const pid = npm.pid === undefined ? null : childOf(npm.pid);
  if (pid === null) throw new Error('could not find the bot process under npm');
  return { npm, pid, baseUrl: `http://127.0.0.1:${port}`, output: () => out, exited };
}
