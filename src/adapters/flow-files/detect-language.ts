import { eld } from 'eld/extrasmall';
import { isLanguage, LANGUAGES, type Language, type LanguageDetector } from '../../core/languages.js';

/** Fewer letters than this (or a single word) say too little to tell English from Spanish. */
const MIN_LETTERS = 8;
const MIN_WORDS = 2;
/** eld's scores for the two languages closer than this: the text is as much one as the other. */
const MIN_MARGIN = 0.03;

/**
 * The language detector the bot runs: eld (Efficient Language Detector, Apache-2.0, its n-gram
 * data shipped in the package, nothing downloaded), its "extrasmall" database (about 27 MB of heap;
 * "small" read the eval corpora the same for twice that), narrowed to the
 * languages the bot speaks. A text too short, unreliable by eld's own measure, or nearly even
 * between two languages is "cannot tell" (null): the conversation keeps what it has.
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
