import { spawn } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/bot-process.js';
import {
  ADMIN_TOKEN,
  AUTH_TOKEN,
  messagesOf,
  newMessageSid,
  postSignedSms,
  PUBLIC_BASE_URL,
  tempDatabasePath,
} from '../support/sms-harness.js';

/** What a fresh checkout has that the build and the bot use, in a folder of its own (no dist/ yet). */
function copyOfTheProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'soc-build-'));
  for (const name of ['src', 'flows', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.build.json']) {
    cpSync(join(REPO_ROOT, name), join(dir, name), { recursive: true });
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

function run(dir: string, command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(command, args, { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

const build = (dir: string) => run(dir, process.execPath, ['scripts/build-if-stale.mjs']);
const leftovers = (dir: string) => readdirSync(dir).filter((name) => /^dist\./.test(name));

describe('npm start runs the build in dist/', () => {
  it('on a fresh copy, builds dist/ and serves the bot and the console files from it', async () => {
    const dir = copyOfTheProject();
    const child = spawn('npm', ['start'], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        PORT: '0',
        ADMIN_TOKEN,
        DATABASE_URL: `file:${tempDatabasePath()}`,
        TWILIO_AUTH_TOKEN: AUTH_TOKEN,
        PUBLIC_BASE_URL,
        // The decide thread's entry is a module of its own: the build must hold it (dist/decide-worker.js).
        DECIDE_THREAD: 'on',
      },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    // 'close': npm may exit on SIGTERM before the bot it started has written its last line.
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setInterval(() => {
          const m = /listening on port (\d+)/.exec(out);
          if (m) {
            clearInterval(timer);
            resolve(Number(m[1]));
          }
        }, 25);
        void exited.then((code) => {
          clearInterval(timer);
          reject(new Error(`npm start exited with ${code} before listening:\n${out}`));
        });
      });
      expect(out).toMatch(/build-if-stale: compiled src\/ to dist\//);
      // `exec`, so that npm's SIGTERM reaches the bot rather than only the shell npm runs it in (with node's flags).
      expect(out).toMatch(/> exec node (--[\w=-]+ )*dist\/main\.js/);
      const base = `http://127.0.0.1:${port}`;
      const page = await fetch(`${base}/admin`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('src="/admin/console.js"');
      for (const name of ['console.js', 'console.css']) {
        const res = await fetch(`${base}/admin/${name}`);
        expect(res.status).toBe(200);
        expect(await res.text()).toBe(readFileSync(join(REPO_ROOT, 'src/adapters/http/console', name), 'utf8'));
      }
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      // A text decided on the thread: answered, and the thread did not fail (it would say so once).
      for (const body of ['hi', 'we run payroll for restaurants', 'their CFO asked']) {
        const params = { MessageSid: newMessageSid(), From: '+14155550199', To: '+15005550006', Body: body };
        expect(messagesOf(await (await postSignedSms(base, params)).text())).toHaveLength(1);
      }
      expect(out).not.toMatch(/the decide thread stopped/);
      // The files it served are the copies in dist/; the TypeScript is not in dist/.
      // Every static file of the console is copied; every module is compiled (with its map), none left as .ts.
      const source = readdirSync(join(REPO_ROOT, 'src/adapters/http/console'));
      const expected = source.flatMap((name) =>
        name.endsWith('.ts') ? [name.replace(/\.ts$/, '.js'), name.replace(/\.ts$/, '.js.map')] : [name],
      );
      expect(readdirSync(join(dir, 'dist/adapters/http/console')).sort()).toEqual(expected.sort());
      expect(leftovers(dir)).toEqual([]);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    expect(out).toMatch(/"msg":"stopped"/);
  }, 120_000);

  it('compiles once when several start at once, then not again until a source changes; a failed build keeps dist/', async () => {
    const dir = copyOfTheProject();
    const together = await Promise.all([build(dir), build(dir), build(dir)]);
    expect(together.map((r) => r.code)).toEqual([0, 0, 0]);
    const outputs = together.map((r) => r.output);
    expect(outputs.filter((o) => /compiled src\/ to dist\//.test(o))).toHaveLength(1);
    expect(outputs.filter((o) => /another process is building dist\/; waiting for it/.test(o)).length).toBeGreaterThan(
      0,
    );
    expect(leftovers(dir)).toEqual([]);

    const again = await build(dir);
    expect(again).toEqual({ code: 0, output: 'build-if-stale: dist/ is up to date\n' });

    appendFileSync(join(dir, 'src/main.ts'), '\n// edited after the build\n');
    const rebuilt = await build(dir);
    expect(rebuilt.output).toMatch(/compiled src\/ to dist\//);
    expect(readFileSync(join(dir, 'dist/main.js'), 'utf8')).toContain('// edited after the build');

    const stamp = readFileSync(join(dir, 'dist/.build-stamp'), 'utf8');
    writeFileSync(join(dir, 'src/broken.ts'), 'export const = ;\n');
    const failed = await build(dir);
    expect(failed.code).toBe(1);
    expect(failed.output).toMatch(/tsc -p tsconfig\.build\.json failed .*dist\/ is unchanged/);
    expect(readFileSync(join(dir, 'dist/.build-stamp'), 'utf8')).toBe(stamp);
    expect(existsSync(join(dir, 'dist/main.js'))).toBe(true);
    expect(leftovers(dir)).toEqual([]);
  }, 120_000);
});
