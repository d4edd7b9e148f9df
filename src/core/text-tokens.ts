/**
 * How the bot reads words: accents and case folded, apostrophes dropped, plurals folded, and
 * small typos forgiven against the words the lexicon knows. Pure and shared by the lexicon
 * compiler and the reader, so a phrase and a text are always folded the same way.
 */

/** "Nómina" -> "nomina", curly apostrophes and accents gone, lowercase. */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`\u00b4']/g, '');
}

/** One word's plural folded to its singular: "auditors" -> "auditor", "companies" -> "company". */
export function singular(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(?:sses|xes|ches|shes|zzes)$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s') && !/(?:ss|us|is|as|os)$/.test(word)) return word.slice(0, -1);
  return word;
}

/** The words of a text as the lexicon sees them (folded, plural-free, [a-z0-9] only). */
export function wordsOf(text: string): string[] {
  return foldText(text)
    .replace(/[^a-z0-9]+/g, ' ')
    .split(' ')
    .filter((word) => word !== '')
    .map(singular);
}

/** Damerau-Levenshtein distance, giving up (returning limit + 1) once it exceeds `limit`. */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prevPrev: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, (prevPrev[j - 2] ?? 0) + 1);
      row.push(value);
      best = Math.min(best, value);
    }
    if (best > limit) return limit + 1;
    prevPrev = prev;
    prev = row;
  }
  return prev[b.length] ?? limit + 1;
}

/** How many typos a word of this length may carry: none under 5 letters, one from 5, two from 8. */
export function typoAllowance(length: number): number {
  if (length >= 8) return 2;
  return length >= 5 ? 1 : 0;
}

/**
 * Corrects a word to the one lexicon word it is a typo of, or returns it unchanged: never a
 * short word, never an ordinary English word ("willing" stays "willing", not "billing"), never
 * when two lexicon words are equally close.
 */
export function correctTypo(
  word: string,
  vocabulary: ReadonlySet<string>,
  ordinary: ReadonlySet<string> | undefined,
  sameConcept: (a: string, b: string) => boolean = () => false,
): string {
  const allowance = typoAllowance(word.length);
  if (allowance === 0 || vocabulary.has(word) || ordinary?.has(word) === true || /\d/.test(word)) return word;
  let best = word;
  let bestDistance = allowance + 1;
  let tie = false;
  for (const known of vocabulary) {
    if (known.length < 5) continue;
    const limit = Math.min(allowance, typoAllowance(known.length));
    const distance = editDistance(word, known, limit);
    if (distance > limit) continue;
    if (distance < bestDistance) {
      best = known;
      bestDistance = distance;
      tie = false;
    } else if (distance === bestDistance && known !== best && !sameConcept(known, best)) tie = true;
  }
  return bestDistance <= allowance && !tie ? best : word;
}
