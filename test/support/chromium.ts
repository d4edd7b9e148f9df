import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** What to tell a person when the browser is missing; `.ci/run` runs the same install. */
export const INSTALL_CHROMIUM =
  "install Debian's chromium package (apt-get update && apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium binary";

export type ChromiumLookup = { found: true; path: string } | { found: false; looked: string };

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Finds the Chromium the browser tests drive: `CHROMIUM_PATH` when set (an absolute path; a missing
 * file is "not found", never a fallback), otherwise `chromium` on PATH, as `.ci/run` looks for it.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumLookup {
  const explicit = env.CHROMIUM_PATH;
  if (explicit) {
    return isAbsolute(explicit) && isExecutable(explicit)
      ? { found: true, path: explicit }
      : { found: false, looked: `CHROMIUM_PATH=${explicit} is not an executable file` };
  }
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  const path = dirs.map((dir) => join(dir, 'chromium')).find(isExecutable);
  return path ? { found: true, path } : { found: false, looked: 'no chromium on PATH' };
}

/** CI=true (or 1): a test that needs a tool must fail without it instead of being skipped. */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(true|1)$/i.test(env.CI ?? '');
}
