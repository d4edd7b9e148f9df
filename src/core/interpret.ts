import type { Verdict } from './advise.js';
import { LANGUAGES, type Language } from './languages.js';
import type { Lexicon, Term } from './lexicon.js';
import type { AskerFacts, Awaiting, Intent, ProductFacts, Reading, RequestFacts } from './reading.js';
import { correctTypo, foldText, singular, wordsOf } from './text-tokens.js';

type ProductKind = keyof ProductFacts;
type AskerKind = 'finance' | 'security' | 'unknown';
type PhraseIntent = 'optOut' | 'restart' | 'human' | 'cost' | 'help' | 'greeting' | 'acknowledgement';
type Marker =
  | 'delegated'
  | 'negation'
  | 'international'
  | 'buyer'
  | 'correction'
  | 'addition'
  | 'filler'
  | 'relay'
  | 'dontKnow'
  | 'requestVerb'
  | 'meta';

/** One lexicon phrase as words, with what finding it means. */
type Entry =
  | { words: string[]; type: 'product'; kind: ProductKind; label: string; when: Term['when'] }
  | { words: string[]; type: 'asker'; kind: AskerKind; label: string; when: Term['when'] }
  | { words: string[]; type: 'request'; label: string }
  | { words: string[]; type: 'topic'; topic: string }
  | { words: string[]; type: 'language'; language: Language }
  | { words: string[]; type: Marker }
  | { words: string[]; type: 'intent'; intent: PhraseIntent };

/** A clause: words as written (for quoting), and their folded, typo-corrected forms. */
interface Clause {
  raw: string[];
  /** Index into `raw` of each word. */
  rawIndex: number[];
  /** Folded words, typos not corrected: opt-outs match only these. */
  plain: string[];
  /** Folded words with typos corrected: everything else matches these. */
  words: string[];
  /** The sentence ends with "?" or opens with a question word. */
  question: boolean;
}

interface Match {
  clause: number;
  start: number;
  end: number;
  entry: Entry;
}

interface Compiled {
  /** Entries indexed by their first word, so a text is scanned once rather than once per phrase. */
  byFirstWord: Map<string, Entry[]>;
  optOutByFirstWord: Map<string, Entry[]>;
  optOutAlone: Set<string>;
  keywords: Map<string, Intent>;
  optOutKeywords: Set<string>;
  helpKeywords: Set<string>;
  questionWords: Set<string>;
  questionPhrases: string[][];
  vocabulary: Set<string>;
  /** The concepts (entry kind and label) each lexicon word belongs to. */
  concepts: Map<string, Set<string>>;
  corrections: Map<string, string>;
  /** A language named as the whole text ("espanol", "in english"), by its words joined. */
  languageAlone: Map<string, Language>;
  /** Words only one language uses, and which. */
  languageCues: Map<string, Language>;
}

/** Words that may open a question before its question word ("so how long", "honestly what"). */
const OPENERS = new Set([
  'so',
  'ok',
  'okay',
  'honestly',
  'and',
  'but',
  'also',
  'hey',
  'hi',
  'well',
  'quick',
  'um',
  'sorry',
  'btw',
  'then',
]);
/** Words that start a new clause: "we don't do payroll but we do billing" must keep billing. */
const CLAUSE_WORDS = new Set(['but', 'however', 'although', 'though']);
/** How far back (in words) a negation reaches: "we don't process payments or payroll". */
const NEGATION_REACH = 4;
const PHRASE_INTENTS: PhraseIntent[] = ['optOut', 'restart', 'human', 'cost', 'help', 'greeting', 'acknowledgement'];
const CHOICE = /^(?:#|no\.?|number|option|choice)?\s*\(?\s*(\d)\s*[.):]?\s*$/;
/** "3 - both", "2) payroll": a number opening a short reply picks that choice too. */
const CHOICE_LEAD = /^(?:#|option|choice)?\s*\(?\s*(\d)\s*(?:[-.):,]|\s)\s*[a-z ,'.!]{0,30}$/;
/** A quote of the client's words is at most this many words, so the verdict fits 2 SMS segments. */
const QUOTE_WORDS = 7;
const QUOTE_CHARS = 36;
/** A gap in a marker phrase ("our * vendor") spans up to this many words. */
const GAP = 2;
const GAP_WORD = '*';

const cache = new WeakMap<Lexicon, Compiled>();

function compile(lexicon: Lexicon): Compiled {
  const entries: Entry[] = [];
  const optOut: Entry[] = [];
  for (const kind of ['financial', 'sensitive', 'technology', 'generic'] as const) {
    for (const { label, when, match } of lexicon.product[kind]) {
      for (const phrase of match) entries.push({ words: phraseWords(phrase), type: 'product', kind, label, when });
    }
  }
  for (const kind of ['finance', 'security', 'unknown'] as const) {
    for (const { label, when, match } of lexicon.asker[kind]) {
      for (const phrase of match) entries.push({ words: phraseWords(phrase), type: 'asker', kind, label, when });
    }
  }
  for (const { label, match } of lexicon.requests) {
    for (const phrase of match) entries.push({ words: phraseWords(phrase), type: 'request', label });
  }
  for (const [topic, phrases] of Object.entries(lexicon.topics)) {
    for (const phrase of phrases) entries.push({ words: phraseWords(phrase), type: 'topic', topic });
  }
  const markers: [Marker, string[]][] = [
    ['negation', lexicon.negation],
    ['international', lexicon.international],
    ['buyer', lexicon.buyer],
    ['correction', lexicon.correction],
    ['addition', lexicon.addition],
    ['relay', lexicon.relay],
    ['delegated', lexicon.delegated],
    ['dontKnow', lexicon.dontKnow],
    ['requestVerb', lexicon.requestVerbs],
    ['meta', lexicon.meta],
    ['filler', lexicon.fillers],
  ];
  for (const [type, phrases] of markers)
    for (const phrase of phrases) entries.push({ words: phraseWords(phrase), type });
  for (const language of LANGUAGES) {
    for (const phrase of lexicon.languages.ask[language])
      entries.push({ words: phraseWords(phrase), type: 'language', language });
  }
  for (const intent of PHRASE_INTENTS) {
    for (const phrase of lexicon.intents[intent]) {
      const entry: Entry = { words: phraseWords(phrase), type: 'intent', intent };
      (intent === 'optOut' ? optOut : entries).push(entry);
    }
  }
  const index = (list: Entry[]): Map<string, Entry[]> => {
    const map = new Map<string, Entry[]>();
    for (const entry of list) {
      const first = entry.words[0];
      if (first !== undefined) map.set(first, [...(map.get(first) ?? []), entry]);
    }
    return map;
  };
  const { optOutKeywords, optInKeywords, helpKeywords } = lexicon.intents;
  const keywords = new Map<string, Intent>();
  for (const word of optOutKeywords) keywords.set(word.toLowerCase(), 'optOutKeyword');
  for (const word of optInKeywords) keywords.set(word.toLowerCase(), 'optInKeyword');
  for (const word of helpKeywords) keywords.set(word.toLowerCase(), 'helpKeyword');
  const lower = (words: string[]): Set<string> => new Set(words.map((word) => word.toLowerCase()));
  const questionPhrases = lexicon.questionWords.map(wordsOf);
  return {
    byFirstWord: index(entries),
    optOutByFirstWord: index(optOut),
    optOutAlone: new Set(lexicon.intents.optOutAlone.map((phrase) => wordsOf(phrase).join(' '))),
    keywords,
    optOutKeywords: lower(optOutKeywords),
    helpKeywords: lower(helpKeywords),
    questionWords: new Set(questionPhrases.filter((p) => p.length === 1).map((p) => p[0] ?? '')),
    questionPhrases: questionPhrases.filter((p) => p.length > 1),
    vocabulary: new Set(entries.flatMap((entry) => entry.words)),
    concepts: conceptsOf(entries),
    corrections: new Map(),
    ...languageWords(lexicon),
  };
}

function languageWords(lexicon: Lexicon): Pick<Compiled, 'languageAlone' | 'languageCues'> {
  const languageAlone = new Map<string, Language>();
  const cues = new Map<string, Language | null>();
  for (const language of LANGUAGES) {
    for (const phrase of lexicon.languages.alone[language]) languageAlone.set(wordsOf(phrase).join(' '), language);
    for (const word of lexicon.languages.cues[language].flatMap(wordsOf)) {
      // A word both languages use tells nothing.
      cues.set(word, cues.has(word) && cues.get(word) !== language ? null : language);
    }
  }
  const languageCues = new Map([...cues].filter((entry): entry is [string, Language] => entry[1] !== null));
  return { languageAlone, languageCues };
}

function conceptsOf(entries: Entry[]): Map<string, Set<string>> {
  const concepts = new Map<string, Set<string>>();
  for (const entry of entries) {
    const concept =
      'label' in entry ? `${entry.type}:${entry.label}` : 'intent' in entry ? `intent:${entry.intent}` : entry.type;
    for (const word of entry.words) concepts.set(word, new Set([...(concepts.get(word) ?? []), concept]));
  }
  return concepts;
}

function compiled(lexicon: Lexicon): Compiled {
  let result = cache.get(lexicon);
  if (result === undefined) {
    result = compile(lexicon);
    cache.set(lexicon, result);
  }
  return result;
}

/** A word as matched: folded, and corrected when it is a typo of a lexicon word (cached). */
function corrected(raw: string, word: string, lexicon: Lexicon, c: Compiled): string {
  const known = c.corrections.get(word);
  if (known !== undefined) return known;
  const ordinary = lexicon.ordinaryWords;
  // Two spellings of one concept ("payroll", "payrol") are not a tie.
  const same = (a: string, b: string): boolean => {
    const of = c.concepts.get(b);
    return [...(c.concepts.get(a) ?? [])].some((concept) => of?.has(concept) === true);
  };
  const fixed = ordinary?.has(raw) === true ? word : correctTypo(word, c.vocabulary, ordinary, same);
  if (c.corrections.size < 50_000) c.corrections.set(word, fixed);
  return fixed;
}

const startsWith = (words: string[], phrase: string[]): boolean => phrase.every((w, i) => words[i] === w);

/**
 * Sentences end at . ! ? ; or a line break; clauses also at commas and contrast words, so a
 * negation never reaches across them. A sentence is a question when it ends with "?" or opens
 * with a question word.
 */
function clausesOf(text: string, lexicon: Lexicon, c: Compiled): Clause[] {
  const clauses: Clause[] = [];
  for (const [, body = '', end = ''] of foldText(text).matchAll(/([^.!?;\n]*)([.!?;\n]*)/g)) {
    if (body.trim() === '') continue;
    const sentenceWords = wordsOf(body);
    // "honestly what would this cost": a question word may follow one opening word.
    const question =
      end.includes('?') ||
      c.questionWords.has(sentenceWords[0] ?? '') ||
      (sentenceWords.length > 3 &&
        c.questionWords.has(sentenceWords[1] ?? '') &&
        OPENERS.has(sentenceWords[0] ?? '')) ||
      c.questionPhrases.some((phrase) => startsWith(sentenceWords, phrase));
    for (const part of body.split(',')) {
      let current: Clause = { raw: [], rawIndex: [], plain: [], words: [], question };
      for (const rawWord of part.split(/\s+/).filter((w) => w !== '')) {
        let rawAt = -1;
        for (const piece of rawWord
          .replace(/[^a-z0-9]+/g, ' ')
          .split(' ')
          .filter((w) => w !== '')) {
          const word = singular(piece);
          if (CLAUSE_WORDS.has(word)) {
            if (current.words.length > 0) clauses.push(current);
            current = { raw: [], rawIndex: [], plain: [], words: [], question };
            continue;
          }
          // "month-end" is two words but one written word: quote it once.
          if (rawAt < 0 || current.raw[rawAt] !== rawWord) {
            current.raw.push(rawWord);
            rawAt = current.raw.length - 1;
          }
          current.rawIndex.push(rawAt);
          current.plain.push(word);
          current.words.push(corrected(piece, word, lexicon, c));
        }
      }
      if (current.words.length > 0) clauses.push(current);
    }
  }
  return clauses;
}

/** A marker phrase's words; " * " stands for a gap of up to GAP words ("our * vendor"). */
function phraseWords(phrase: string): string[] {
  return phrase.split(/\s+\*\s+/).flatMap((part, i) => [...(i > 0 ? [GAP_WORD] : []), ...wordsOf(part)]);
}

/** Where a phrase that starts at `at` ends in `words`, or -1: literal words, and gaps of 0..GAP words. */
function matchEnd(phrase: string[], words: string[], at: number): number {
  // Most phrases have no gap: compared in place, as every word of every text meets the phrases
  // its word starts (issue 11: the sets and arrays below were an eighth of what a text allocated).
  if (!phrase.includes(GAP_WORD)) {
    if (at + phrase.length > words.length) return -1;
    for (let i = 0; i < phrase.length; i++) if (words[at + i] !== phrase[i]) return -1;
    return at + phrase.length;
  }
  let ends = [at];
  for (const word of phrase) {
    const next: number[] = [];
    for (const end of ends) {
      if (word === GAP_WORD) for (let skip = 0; skip <= GAP; skip++) next.push(end + skip);
      else if (words[end] === word) next.push(end + 1);
    }
    ends = [...new Set(next)].filter((end) => end <= words.length);
    if (ends.length === 0) return -1;
  }
  return Math.min(...ends);
}

function findMatches(clauses: Clause[], index: Map<string, Entry[]>, field: 'words' | 'plain'): Match[] {
  const found: Match[] = [];
  clauses.forEach((clause, n) => {
    const words = clause[field];
    words.forEach((word, start) => {
      for (const entry of index.get(word) ?? []) {
        const end = matchEnd(entry.words, words, start);
        if (end > start) found.push({ clause: n, start, end, entry });
      }
    });
  });
  return found;
}

const overlaps = (a: Match, b: Match): boolean => a.clause === b.clause && a.start < b.end && b.start < a.end;
const length = (m: Match): number => m.end - m.start;

/**
 * The longest phrase wins where phrases overlap: "security audit" is the security side even though
 * "audit" alone is finance, and "soc 1 or soc 2" (unsure) beats both "soc 1" and "soc 2".
 */
function longestWins(matches: Match[]): Match[] {
  const kept: Match[] = [];
  for (const m of [...matches].sort((a, b) => length(b) - length(a))) {
    if (!kept.some((k) => length(k) > length(m) && overlaps(k, m))) kept.push(m);
  }
  return kept.sort((a, b) => a.clause - b.clause || a.start - b.start);
}

/**
 * `when: answer` terms ("security", "data") only mean something in reply to their own question,
 * and a one-word one only in a short reply: "IT" answers, "remit it to the venues" does not.
 */
function eligible(entry: Entry, awaiting: Awaiting | null, short: boolean, question: boolean): boolean {
  if (entry.type !== 'product' && entry.type !== 'asker') return true;
  if (entry.when === 'any') return true;
  // "who performs the audit?" asks something; it does not answer "who is asking?".
  if (question || (entry.words.length === 1 && !short)) return false;
  return awaiting === (entry.type === 'product' ? 'product' : 'asker');
}

/**
 * "their CFO... actually no, it's the IT guy": where a correction follows an answer in the same
 * text, an asker (or product) named after it replaces the one named before it.
 */
function afterCorrection(terms: Match[], corrections: Match[]): Match[] {
  const last = corrections.at(-1);
  if (last === undefined) return terms;
  const after = (m: Match): boolean => m.clause > last.clause || (m.clause === last.clause && m.start >= last.end);
  const kinds = new Set(terms.filter(after).map((m) => m.entry.type));
  return terms.filter(
    (m) => after(m) || !kinds.has(m.entry.type) || (m.entry.type === 'asker' && m.entry.kind === 'unknown'),
  );
}

const isDecisiveAsker = (m: Match): boolean => m.entry.type === 'asker' && m.entry.kind !== 'unknown';

/** "the controller just forwarded it, it's their IT team": whoever only passed it on is not asking. */
function withoutRelays(terms: Match[], relays: Match[]): Match[] {
  const relayed = (m: Match): boolean => relays.some((r) => r.clause === m.clause);
  if (!terms.some((m) => isDecisiveAsker(m) && !relayed(m))) return terms;
  return terms.filter((m) => !(isDecisiveAsker(m) && relayed(m)));
}

const negatedBy =
  (negations: Match[]) =>
  (m: Match): boolean =>
    negations.some((n) => n.clause === m.clause && n.end <= m.start && m.start - n.start <= NEGATION_REACH);

/** The client's words around a match: the clause, or a few words of it, GSM-7 safe and short. */
function quoteOf(m: Match, clauses: Clause[]): string {
  const clause = clauses[m.clause];
  if (clause === undefined) return '';
  const first = clause.rawIndex[m.start] ?? 0;
  const from = clause.raw.length <= QUOTE_WORDS ? 0 : Math.max(0, Math.min(first - 2, clause.raw.length - QUOTE_WORDS));
  let words = clause.raw.slice(from, from + QUOTE_WORDS);
  while (words.join(' ').length > QUOTE_CHARS && words.length > 1) words = words.slice(0, -1);
  // Folded text is already ASCII-ish; anything else (emoji, braces) would cost a UCS-2 segment.
  return words
    .join(' ')
    .replace(/[^a-z0-9 &/+%$#@()\-.:]/g, '')
    .replace(/[.:]+$/, '')
    .trim();
}

function productOf(terms: Match[], clauses: Clause[]): { product: ProductFacts | null; quote: string | null } {
  const facts: ProductFacts = { financial: null, sensitive: null, technology: null, generic: null };
  let quoted: Match | null = null;
  for (const m of terms) {
    if (m.entry.type !== 'product' || facts[m.entry.kind] !== null) continue;
    facts[m.entry.kind] = m.entry.label;
    // Quote the words that decide: a financial term over a sensitive one over a technology one.
    const rank = (e: Entry): number =>
      e.type === 'product' ? ['financial', 'sensitive', 'technology', 'generic'].indexOf(e.kind) : 9;
    if (quoted === null || rank(m.entry) < rank(quoted.entry)) quoted = m;
  }
  if (quoted === null) return { product: null, quote: null };
  return { product: facts, quote: quoteOf(quoted, clauses) };
}

/** A named asker who is neither side ("a prospect", "not sure") still answers the question. */
function askerOf(terms: Match[], clauses: Clause[]): { asker: AskerFacts | null; quote: string | null } {
  const asks = terms.filter((m) => m.entry.type === 'asker');
  if (asks.length === 0) return { asker: null, quote: null };
  const label = (kind: AskerKind): string | null => {
    const hit = asks.find((m) => m.entry.type === 'asker' && m.entry.kind === kind);
    return hit?.entry.type === 'asker' ? hit.entry.label : null;
  };
  const decisive = asks.find((m) => m.entry.type === 'asker' && m.entry.kind !== 'unknown') ?? asks[0];
  return {
    asker: { finance: label('finance'), security: label('security') },
    quote: decisive ? quoteOf(decisive, clauses) : null,
  };
}

/** A named report or Type, outside questions: "is SOC 2 enough?" names nothing. */
function requestOf(
  terms: Match[],
  clauses: Clause[],
  verbs: Match[],
): { request: RequestFacts | null; quote: string | null } {
  // "is SOC 2 enough?" names nothing; "they're asking for an SSAE 16??" does.
  const asked = (m: Match): boolean => verbs.some((v) => v.clause === m.clause && v.end <= m.start);
  const named = terms.filter((m) => m.entry.type === 'request' && (clauses[m.clause]?.question !== true || asked(m)));
  const labels = named.map((m) => (m.entry.type === 'request' ? m.entry.label : ''));
  const reports = new Set(labels.filter((l) => l === 'soc1' || l === 'soc2' || l === 'both'));
  let report: Verdict | null = null;
  if (!labels.includes('unsure')) {
    if (reports.has('both') || (reports.has('soc1') && reports.has('soc2'))) report = 'both';
    else if (reports.has('soc1')) report = 'soc1';
    else if (reports.has('soc2')) report = 'soc2';
  }
  const type = labels.includes('type2') ? 2 : labels.includes('type1') ? 1 : null;
  const first = named[0];
  if ((report === null && type === null) || first === undefined) return { request: null, quote: null };
  return { request: { report, type }, quote: quoteOf(first, clauses) };
}

/** True when phrases of these types cover every word of the text. */
function coveredBy(matches: Match[], clauses: Clause[]): boolean {
  const covered = coverage(matches);
  const total = clauses.reduce((n, clause) => n + clause.words.length, 0);
  return total > 0 && covered.size === total;
}

/** A one-word intent ("human", "price") counts in a short text or a question, not in "human + AI". */
const SHORT_TEXT_WORDS = 4;

function phraseIntent(
  text: string,
  clauses: Clause[],
  plain: string[],
  intents: Match[],
  optOuts: Match[],
  c: Compiled,
): Intent {
  const short = plain.length <= SHORT_TEXT_WORDS;
  const found = (intent: PhraseIntent): Match[] =>
    intents.filter(
      (m) =>
        m.entry.type === 'intent' &&
        m.entry.intent === intent &&
        (length(m) > 1 ||
          short ||
          clauses[m.clause]?.question === true ||
          intent === 'greeting' ||
          intent === 'acknowledgement'),
    );
  const whole = plain.join(' ');
  // A lone keyword wrapped in punctuation ("STOP!") is not a carrier keyword but still means it.
  const lone = plain.length === 1 ? (plain[0] ?? '') : '';
  if (optOuts.length > 0 || c.optOutAlone.has(whole) || c.optOutKeywords.has(lone)) return 'optOut';
  if (found('restart').length > 0) return 'restart';
  if (found('human').length > 0) return 'human';
  if (found('cost').length > 0) return 'cost';
  if (found('help').length > 0 || c.helpKeywords.has(lone)) return 'help';
  if (plain.length === 0) return text.includes('?') ? 'greeting' : 'acknowledgement';
  if (coveredBy(found('greeting'), clauses)) return 'greeting';
  return coveredBy(found('acknowledgement'), clauses) ? 'acknowledgement' : 'answer';
}

/**
 * A text says something when a word outside the fillers ("yes", "we", "need", "soc report") is a
 * real word: an ordinary English word or one the lexicon knows. Keyboard mashing says nothing.
 */
function hasContent(
  clauses: Clause[],
  fillers: Match[],
  lexicon: Lexicon,
  c: Compiled,
  writtenIn: Language | null | (() => Language | null),
): boolean {
  const covered = coverage(fillers);
  const ordinary = lexicon.ordinaryWords;
  // The ordinary words are English ones: in a text the detector reads as another language, any
  // word outside the fillers is a real one. Asked last: most words are known without it.
  let foreign: boolean | undefined;
  const isForeign = (): boolean => {
    if (foreign === undefined) {
      const language = typeof writtenIn === 'function' ? writtenIn() : writtenIn;
      foreign = language !== null && language !== 'en';
    }
    return foreign;
  };
  return clauses.some((clause, n) =>
    clause.words.some((word, i) => {
      if (covered.has(place(n, i))) return false;
      const raw = clause.plain[i] ?? word;
      return (
        ordinary === undefined ||
        c.vocabulary.has(word) ||
        ordinary.has(raw) ||
        ordinary.has(`${raw}s`) ||
        /^\d+$/.test(word) ||
        isForeign()
      );
    }),
  );
}

/** A text holds at most 1,600 characters, so fewer words than this in a clause. */
const PLACES_PER_CLAUSE = 0x10000;
/** Word `word` of clause `clause` as one number: a text's places are read several times over (issue 11). */
const place = (clause: number, word: number): number => clause * PLACES_PER_CLAUSE + word;

/** The places (see `place`) the matches cover. */
function coverage(matches: Match[]): Set<number> {
  const covered = new Set<number>();
  for (const m of matches) for (let i = m.start; i < m.end; i++) covered.add(place(m.clause, i));
  return covered;
}

/**
 * The language a text asks for ("en español por favor", or "English?" as the whole text), and
 * whether that is all it says; plus the language its cue words point to ("hola", "the").
 */
function languageOf(
  clauses: Clause[],
  plain: string[],
  asks: Match[],
  around: Match[],
  c: Compiled,
): Pick<Reading, 'languageAsked' | 'languageCue'> & { only: boolean } {
  const covered = asks.length + around.length === 0 ? null : coverage([...asks, ...around]);
  const rest =
    covered === null ? plain : clauses.flatMap((clause, n) => clause.plain.filter((_, i) => !covered.has(place(n, i))));
  const restText = rest.join(' ');
  const last = asks.at(-1)?.entry;
  const asked = last?.type === 'language' ? last.language : (c.languageAlone.get(restText) ?? null);
  const only = asked !== null && (rest.length === 0 || c.languageAlone.has(restText));
  const votes = new Map<Language, number>();
  for (const word of plain) {
    const language = c.languageCues.get(word);
    if (language !== undefined) votes.set(language, (votes.get(language) ?? 0) + 1);
  }
  // The language with the most cue words, unless another has as many.
  let cue: Language | null = null;
  let most = 0;
  let tied = false;
  for (const [language, count] of votes) {
    if (count > most) [cue, most, tied] = [language, count, false];
    else if (count === most) tied = true;
  }
  return { languageAsked: asked, languageCue: tied ? null : cue, only };
}

/** "2", "#2", "option 2", "2)" in reply to a numbered question picks that option's facts. */
function applyChoice(
  reading: Reading,
  text: string,
  lexicon: Lexicon,
  awaiting: Awaiting | null,
  clauses: Clause[],
  plain: string[],
  language: Language,
  fillers: Match[],
): void {
  // "wait sorry, 1. we don't touch money", "no espera, es el 2": a lone number in a correction
  // (fillers aside) picks too.
  const covered = coverage(fillers);
  const loneIn = (n: number): string[] => clauses[n]?.plain.filter((_, i) => !covered.has(place(n, i))) ?? [];
  const lone = reading.correction
    ? clauses.map((_, n) => loneIn(n)).find((words) => words.length === 1 && /^\d$/.test(words[0] ?? ''))?.[0]
    : undefined;
  const written = text.trim().toLowerCase();
  // The words a question offers as choices ("data", "money", "both") pick them too.
  const worded = awaiting === null ? undefined : lexicon.choiceWords[awaiting][plain.join(' ')];
  const digit = CHOICE.exec(written)?.[1] ?? CHOICE_LEAD.exec(written)?.[1] ?? lone ?? worded;
  if (digit === undefined) return;
  const product = awaiting === 'product' ? lexicon.choices.product[digit] : undefined;
  const asker = awaiting === 'asker' ? lexicon.choices.asker[digit] : undefined;
  // A picked choice is quoted in the client's language: the labels are English.
  const quotes = language === 'en' ? undefined : lexicon.choiceQuotes[language];
  if (product !== undefined) {
    reading.product = { ...product };
    reading.productQuote =
      quotes?.product[digit] ?? product.financial ?? product.technology ?? product.sensitive ?? product.generic;
  }
  if (asker !== undefined) {
    reading.asker = { ...asker };
    reading.askerQuote = quotes?.asker[digit] ?? asker.finance ?? asker.security;
  }
  if (product !== undefined || asker !== undefined) {
    reading.intent = 'answer';
    reading.content = true;
  }
}

/** Reads one inbound text: its intent, its facts, the common questions it asks. */
/** What else reading a text takes into account: its language, and the conversation's. */
interface ReadingContext {
  /**
   * The language a detector reads the whole text as, when it can tell: a Spanish text says something
   * even where no word of it is English. A function is asked only when a word needs it, at most once.
   */
  writtenIn?: Language | null | (() => Language | null);
  /** The conversation's language: a picked choice is quoted in it. */
  language?: Language;
}

export function interpret(
  text: string,
  lexicon: Lexicon,
  awaiting: Awaiting | null,
  lastAsked: Awaiting | null = null,
  { writtenIn = null, language = 'en' }: ReadingContext = {},
): Reading {
  const c = compiled(lexicon);
  const clauses = clausesOf(text, lexicon, c);
  // Every word as written but folded, in order: several readings below go through them all.
  const plain = clauses.flatMap((clause) => clause.plain);
  const matches = findMatches(clauses, c.byFirstWord, 'words');
  const of = (...types: Entry['type'][]): Match[] => matches.filter((m) => types.includes(m.entry.type));
  // Out-of-scope `when: answer` phrases still take part in longest-wins, then drop out.
  const terms = longestWins(of('product', 'asker', 'request', 'topic', 'intent'));
  // A negation inside a recognised phrase ("not sure", "no idea") negates nothing.
  // "no wait, it was their IT team": the "no" of a correction negates nothing either.
  const phrases = [...terms, ...of('correction')];
  const isNegated = negatedBy(
    of('negation').filter((n) => !phrases.some((t) => overlaps(t, n) && length(t) > length(n))),
  );
  const short = clauses.reduce((n, clause) => n + clause.words.length, 0) <= SHORT_TEXT_WORDS;
  const eligibleTerms = terms.filter(
    (m) => eligible(m.entry, awaiting, short, clauses[m.clause]?.question === true) && !isNegated(m),
  );
  // "billing goes through Stripe": money someone else moves is not the client's processing.
  const delegated = of('delegated');
  const own = eligibleTerms.filter(
    (m) =>
      !(m.entry.type === 'product' && m.entry.kind === 'financial' && delegated.some((d) => d.clause === m.clause)),
  );
  // At "who is asking?", business words beside an asker describe the customer ("a neobank's
  // assurance team"), not the client's product.
  const askerClauses = new Set(
    own.filter((m) => m.entry.type === 'asker' && awaiting === 'asker').map((m) => m.clause),
  );
  const aboutClient = own.filter((m) => !(m.entry.type === 'product' && askerClauses.has(m.clause)));
  const active = withoutRelays(afterCorrection(aboutClient, of('correction')), of('relay'));
  const facts = active.filter(
    (m) => m.entry.type === 'product' || m.entry.type === 'asker' || m.entry.type === 'request',
  );
  const { product, quote: productQuote } = productOf(facts, clauses);
  const named = askerOf(facts, clauses);
  // "I am not certain who asked" answers "who is asking?": nobody in particular.
  const unsure = awaiting === 'asker' && named.asker === null && of('dontKnow').length > 0;
  const { asker, quote: askerQuote } = unsure ? { asker: { finance: null, security: null }, quote: null } : named;
  const topics = [
    ...new Set(
      terms
        .filter((m) => m.entry.type === 'topic' && clauses[m.clause]?.question === true)
        .map((m) => (m.entry.type === 'topic' ? m.entry.topic : '')),
    ),
  ];
  const marked = (type: Marker): boolean => of(type).some((m) => !isNegated(m));
  const optOuts = findMatches(clauses, c.optOutByFirstWord, 'plain');
  const keyword = c.keywords.get(text.trim().toLowerCase());
  let intent =
    keyword ??
    phraseIntent(
      text,
      clauses,
      plain,
      terms.filter((m) => m.entry.type === 'intent'),
      optOuts,
      c,
    );
  // A common question is answered in place, even when it opens with "hi" or "can you help".
  if (topics.length > 0 && (intent === 'help' || intent === 'greeting' || intent === 'acknowledgement'))
    intent = 'answer';
  const { request, quote: requestQuote } = requestOf(active, clauses, of('requestVerb'));
  const saysSomething = hasContent(
    clauses,
    [...of('filler'), ...terms.filter((m) => m.entry.type === 'intent')],
    lexicon,
    c,
    writtenIn,
  );
  const spoken = languageOf(
    clauses,
    plain,
    longestWins(of('language')),
    [...of('filler'), ...terms.filter((m) => m.entry.type === 'intent')],
    c,
  );
  // "English please", "¿en español?": a text that only asks for a language switches to it.
  if (spoken.only && topics.length === 0 && ['answer', 'greeting', 'acknowledgement', 'help'].includes(intent))
    intent = 'language';
  const reading: Reading = {
    intent,
    product,
    productQuote,
    asker,
    askerQuote,
    request,
    requestQuote,
    buyer: marked('buyer'),
    correction: of('correction').length > 0,
    addition: of('addition').length > 0,
    international: marked('international'),
    topics,
    // "dunno what we do exactly" and "my boss told me to text you" answer nothing.
    content:
      product !== null || asker !== null || request !== null || (saysSomething && of('dontKnow', 'meta').length === 0),
    question: clauses.some((clause) => clause.question),
    languageAsked: spoken.languageAsked,
    languageCue: spoken.languageCue,
    textQuote: clauses[0]
      ? quoteOf({ clause: 0, start: 0, end: 1, entry: { words: [], type: 'filler' } }, clauses)
      : '',
  };
  // A number after the verdict ("no sorry, 2") picks from the question asked last.
  applyChoice(reading, text, lexicon, awaiting ?? lastAsked, clauses, plain, language, of('filler'));
  return reading;
}
