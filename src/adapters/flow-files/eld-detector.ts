import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isLanguage, LANGUAGES, type Language, type LanguageDetector } from '../../core/languages.js';

/** Fewer letters than this (or a single word) say too little to tell English from Spanish. */
const MIN_LETTERS = 8;
const MIN_WORDS = 2;
/** eld's scores for the two languages closer than this: the text is as much one as the other. */
const MIN_MARGIN = 0.03;

/** eld's n-gram table as its data module exports it: language codes by index, and per n-gram a score by index. */
export interface EldTable {
  type?: string;
  languages: Record<string, string>;
  ngrams: Record<string, Record<string, number>>;
}

/**
 * One of eld's source modules, by its real path: the package exports only its entries, and an
 * entry such as eld/extrasmall loads its whole table on import, which the decide thread, handed a
 * table already pruned, has no use for.
 */
export async function importEld<T>(file: string): Promise<T> {
  const require = createRequire(import.meta.url);
  for (const dir of require.resolve.paths('eld') ?? []) {
    let path: string;
    try {
      path = realpathSync(join(dir, 'eld', 'src', file));
    } catch {
      continue;
    }
    return (await import(pathToFileURL(path).href)) as T;
  }
  throw new Error(`eld/src/${file} not found: run npm ci`);
}

/** An eld detector, as it reads a text: the language, whether that is reliable, and the scores. */
interface EldInstance {
  setLanguageSubset(languages: string[]): unknown;
  detect(text: string): { language: string; isReliable(): boolean; getScores(): Record<string, number> };
}
const { createEld } = await importEld<{
  createEld(): { instance: EldInstance; loadData(data: EldTable): unknown };
}>('languageDetector.js');

/** eld on `table`, narrowed to the languages the bot speaks: its raw readings. */
export function eldOn(table: EldTable): EldInstance {
  const { instance, loadData } = createEld();
  loadData(table);
  instance.setLanguageSubset([...LANGUAGES]);
  return instance;
}

/**
 * The language detector the bot runs: eld (Efficient Language Detector, Apache-2.0, its n-gram
 * data shipped in the package, nothing downloaded) on `table`, narrowed to the languages the bot
 * speaks. A text too short, unreliable by eld's own measure, or nearly even between two languages
 * is "cannot tell" (null): the conversation keeps what it has.
 */
export function detectorOn(table: EldTable): LanguageDetector {
  const detector = eldOn(table);
  return (text: string): Language | null => {
    const words = text.match(/\p{L}{2,}/gu) ?? [];
    if (words.length < MIN_WORDS || words.join('').length < MIN_LETTERS) return null;
    const result = detector.detect(text);
    if (!isLanguage(result.language) || !result.isReliable()) return null;
    const scores = Object.values(result.getScores()).sort((a, b) => b - a);
    const [best = 0, next = 0] = scores;
    return best - next >= MIN_MARGIN ? result.language : null;
  };
}
