import { loadFlows } from '../../src/adapters/flow-files/load-flows.js';
import type { Lexicon } from '../../src/core/lexicon.js';

/** The real flows/lexicon.yaml, loaded the way the app loads it (ordinary words included). */
export function loadTestLexicon(): Lexicon {
  return loadFlows().lexicon;
}
