import type { LanguageDetector } from '../../core/languages.js';
import { detectorOn } from './eld-detector.js';
import { LANGUAGE_TABLE } from './language-table.js';

/**
 * The language detector the bot runs (eld-detector.ts) on eld's "extrasmall" table pruned to the
 * bot's languages (language-table.ts; "small" read the eval corpora the same for twice the memory).
 */
export function createLanguageDetector(): LanguageDetector {
  return detectorOn(LANGUAGE_TABLE);
}
