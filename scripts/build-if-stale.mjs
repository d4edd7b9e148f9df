// Builds dist/ (what `npm start` runs) when its inputs changed since the last build, else does
// nothing. `npm start` runs it first (prestart); `npm run build` runs it alone.
//
// - Inputs: every file under src/ plus the tsconfigs, package.json and this script. Their content
//   hash is stored in dist/.build-stamp; dist/ is current when the hash matches.
// - Build: tsc -p tsconfig.build.json into a fresh dist.tmp-<pid>/, then the non-TypeScript files of
//   src/ (the console's html/js/css) copied beside their modules, then a swap into dist/. A failed
//   build leaves the previous dist/ as it was, and deleted sources leave nothing behind.
// - Several processes starting at once compile once: the builder holds dist.lock (created with
//   O_EXCL, holding its pid); the others wait for it to go and then find dist/ current. A lock whose
//   process is gone (a build killed with -9) is taken over.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, sep } from 'node:path';
import process from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, URL } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, '.build-stamp');
const LOCK = join(ROOT, 'dist.lock');
const SRC = join(ROOT, 'src');
const INPUTS = ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'scripts/build-if-stale.mjs'];
const WAIT_MS = 100;
const GIVE_UP_MS = 5 * 60_000;

const say = (line) => process.stderr.write(`build-if-stale: ${line}\n`);

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The content hash of every input, by path: changes when a file is edited, added or removed. */
function fingerprint() {
  const hash = createHash('sha256');
  const files = [...filesUnder(SRC), ...INPUTS.map((name) => join(ROOT, name))].map((path) => relative(ROOT, path));
  for (const file of files.sort())
    hash
      .update(`${file.split(sep).join('/')}\0`)
      .update(readFileSync(join(ROOT, file)))
      .update('\0');
  return hash.digest('hex');
}

const isCurrent = (want) => existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === want;

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Takes dist.lock, or returns false when a live process holds it. */
function tryLock() {
  try {
    writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
    return true;
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
  }
  let holder;
  try {
    holder = Number(readFileSync(LOCK, 'utf8'));
  } catch {
    return false; // released between the two calls: try again on the next turn
  }
  // An empty lock is one being written this instant; only a dead pid makes it stale. (Best effort:
  // two waiters finding the same stale lock within microseconds could both build; each still
  // writes only its own dist.tmp-<pid>/.)
  if (holder > 0 && !isAlive(holder)) {
    say(`removing dist.lock left by process ${holder}, which is gone`);
    try {
      if (readFileSync(LOCK, 'utf8') === String(holder)) rmSync(LOCK, { force: true });
    } catch {
      // already taken away
    }
  }
  return false;
}

function unlock() {
  try {
    if (readFileSync(LOCK, 'utf8') === String(process.pid)) unlinkSync(LOCK);
  } catch {
    // already gone
  }
}

function build(want) {
  // Left over by a build that died.
  for (const name of readdirSync(ROOT)) {
    const pid = Number(/^dist\.(?:tmp|old)-(\d+)$/.exec(name)?.[1]);
    if (pid && pid !== process.pid && !isAlive(pid)) rmSync(join(ROOT, name), { recursive: true, force: true });
  }
  let tsc;
  try {
    tsc = createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    throw new Error('typescript is not installed: run `npm install` (with dev dependencies) to build dist/');
  }
  const started = Date.now();
  const out = join(ROOT, `dist.tmp-${process.pid}`);
  const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', out], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    rmSync(out, { recursive: true, force: true });
    throw new Error(`tsc -p tsconfig.build.json failed (exit ${result.status ?? result.signal}); dist/ is unchanged`);
  }
  // The console's page, script and style are read at start-up from beside their module.
  for (const file of filesUnder(SRC).filter((path) => !path.endsWith('.ts'))) {
    cpSync(file, join(out, relative(SRC, file)));
  }
  writeFileSync(join(out, '.build-stamp'), `${want}\n`);
  const old = join(ROOT, `dist.old-${process.pid}`);
  if (existsSync(DIST)) renameSync(DIST, old);
  renameSync(out, DIST);
  rmSync(old, { recursive: true, force: true });
  say(`compiled src/ to dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function main() {
  const deadline = Date.now() + GIVE_UP_MS;
  let waited = false;
  for (;;) {
    const want = fingerprint();
    if (isCurrent(want)) {
      say(waited ? 'dist/ was built by another process' : 'dist/ is up to date');
      return;
    }
    if (tryLock()) {
      try {
        // Another process may have finished a build between the check and the lock.
        if (isCurrent(fingerprint())) say('dist/ was built by another process');
        else build(fingerprint());
      } finally {
        unlock();
      }
      return;
    }
    if (!waited) say('another process is building dist/; waiting for it');
    waited = true;
    if (Date.now() > deadline)
      throw new Error(`dist.lock has been held for ${GIVE_UP_MS / 60_000} minutes; remove it if no build is running`);
    await sleep(WAIT_MS);
  }
}

main().catch((error) => {
  say(error.message);
  process.exit(1);
});
