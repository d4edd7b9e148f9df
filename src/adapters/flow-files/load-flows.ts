import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { z } from 'zod';
import { FlowSchema, type Flow } from '../../core/flow.js';
import { LexiconSchema, type Lexicon } from '../../core/lexicon.js';

/** The flows/ folder that ships with the app. */
export const DEFAULT_FLOWS_DIR = fileURLToPath(new URL('../../../flows/', import.meta.url));

export class FlowFileError extends Error {
  readonly code = 'invalid_flow_file';
}

function loadFile<T>(path: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new FlowFileError(`${path}: cannot read it as YAML: ${(cause as Error).message}`, { cause });
  }
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `  ${i.path.join('.') || '(top level)'}: ${i.message}`);
  throw new FlowFileError(`${path}: fix these fields:\n${problems.join('\n')}`);
}

/** Reads and validates the bot's words and lexicon; any problem stops start-up, naming file and field. */
export function loadFlows(dir: string = DEFAULT_FLOWS_DIR): { flow: Flow; lexicon: Lexicon } {
  const base = dir.endsWith('/') ? dir : `${dir}/`;
  return { flow: loadFile(`${base}main.yaml`, FlowSchema), lexicon: loadFile(`${base}lexicon.yaml`, LexiconSchema) };
}
