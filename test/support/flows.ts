import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_FLOWS_DIR, loadFlows, type LoadedFlows } from '../../src/adapters/flow-files/load-flows.js';

let shipped: LoadedFlows | undefined;

/**
 * The shipped flows/ (words, lexicon, translations), loaded and checked the way the bot loads
 * them at start-up, once per module graph (a test worker): tests never change what it returns.
 * The harnesses hand it to compose(), so starting an app does not read flows/ again.
 */
export function shippedFlows(): LoadedFlows {
  return (shipped ??= loadFlows());
}

/** One file of the shipped flows/ as plain YAML, before any schema read it (e.g. `es/main.yaml`). */
export function rawFlowFile(name: string): unknown {
  return parse(readFileSync(join(DEFAULT_FLOWS_DIR, name), 'utf8'));
}
