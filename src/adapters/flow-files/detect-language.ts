import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { eld } from 'eld/extrasmall';
import { isLanguage, LANGUAGES, type Language, type LanguageDetector } from '../../core/languages.js';

/** Fewer letters than this (or a single word) say too little to tell English from Spanish. */
const MIN_LETTERS = 8;
const MIN_WORDS = 2;
/** eld's scores for the two languages closer than this: the text is as much one as the other. */
const MIN_MARGIN = 0.03;

/** eld's n-gram table as its data module exports it: language codes by index, and per n-gram a score by index. */
interface EldData {
  languages: Record<string, string>;
  ngrams: Record<string, Record<string, number>>;
}

/**
 * The table eld's detectors score with: the very object of the module `eld/extrasmall` imports
 * (the package does not export it, so it is imported by its file, by real path so that it is
 * the same module instance and not a second copy).
 */
async function eldTable(): Promise<EldData> {
  const require = createRequire(import.meta.url);
  for (const dir of require.resolve.paths('eld') ?? []) {
    let file: string;
    try {
      file = realpathSync(join(dir, 'eld', 'src', 'ngrams', 'extrasmall.js'));
    } catch {
      continue;
    }
    return ((await import(pathToFileURL(file).href)) as { ngramsData: EldData }).ngramsData;
  }
  throw new Error('eld/src/ngrams/extrasmall.js not found: run npm ci');
}

/**
 * Drops from eld's table every score of a language the bot does not speak, and the n-grams left
 * with none: about 20 MiB of the heap (49,553 n-grams to 4,557). A detector narrowed to those
 * languages (setLanguageSubset) reads only their scores, so it answers exactly as before; and the
 * table is the module's own object, which every eld instance in the process shares, so pruning it
 * in place is what frees the memory.
 */
function keepOnly(table: EldData, languages: readonly string[]): void {
  const kept = Object.keys(table.languages).filter((index) => languages.includes(table.languages[index] ?? ''));
  for (const [ngram, scores] of Object.entries(table.ngrams)) {
    const left: Record<string, number> = {};
    let any = false;
    for (const index of kept) {
      const score = scores[index];
      if (score === undefined) continue;
      left[index] = score;
      any = true;
    }
    if (any) table.ngrams[ngram] = left;
    else delete table.ngrams[ngram];
  }
}

const table = await eldTable();
keepOnly(table, LANGUAGES);

/**
 * The language detector the bot runs: eld (Efficient Language Detector, Apache-2.0, its n-gram
 * data shipped in the package, nothing downloaded), its "extrasmall" database ("small" read the
 * eval corpora the same for twice the memory), narrowed to the languages the bot speaks, and its
 * table pruned to them. A text too short, unreliable by eld's own measure, or nearly even between
 * two languages is "cannot tell" (null): the conversation keeps what it has.
 */
export function createLanguageDetector(): LanguageDetector {
  const detector = eld.newInstance();
  detector.setLanguageSubset([...LANGUAGES]);
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
