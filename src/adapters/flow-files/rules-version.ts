import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_FLOWS_DIR } from './load-flows.js';

/** The code that turns a client's words into a verdict: the advice rule and what feeds it. */
const ADVICE_SOURCES = [
  'advise.ts',
  'interpret.ts',
  'lexicon.ts',
  'text-tokens.ts',
  'reading.ts',
  'conversation-machine.ts',
];
const CORE_DIR = fileURLToPath(new URL('../../../src/core/', import.meta.url));

/**
 * The version of the rules verdicts come from: the first 12 hex digits of a SHA-256 over every
 * YAML file under `flowsDir` and the advice code in src/core, each by name. A change to either gives a
 * new version, so a review of a verdict says which rules were wrong. Read once, at start-up.
 */
export function computeRulesVersion(flowsDir: string = DEFAULT_FLOWS_DIR, coreDir: string = CORE_DIR): string {
  const hash = createHash('sha256');
  const read = (path: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      // A build shipped without its sources still gets a version, one of its own.
      return '(missing)';
    }
  };
  // Every YAML file under flows/, the languages' folders included, in a fixed order.
  const flows = readdirSync(flowsDir, { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => name.split(sep).join('/'))
    .sort();
  for (const name of flows) hash.update(`flows/${name}\0${read(join(flowsDir, name))}\0`);
  for (const name of ADVICE_SOURCES) hash.update(`core/${name}\0${read(join(coreDir, name))}\0`);
  return hash.digest('hex').slice(0, 12);
}
