import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { LexiconSchema, type Lexicon } from '../../src/core/lexicon.js';

/** The real flows/lexicon.yaml, parsed and validated the way the app loads it. */
export function loadTestLexicon(): Lexicon {
  const text = readFileSync(new URL('../../flows/lexicon.yaml', import.meta.url), 'utf8');
  return LexiconSchema.parse(parse(text));
}
