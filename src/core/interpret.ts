import type { Lexicon, Term } from './lexicon.js';
import type { AskerFacts, Awaiting, Intent, ProductFacts, Reading } from './reading.js';

type Kind = 'financial' | 'data' | 'finance' | 'security' | 'unknown';
type PhraseIntent = 'optOut' | 'restart' | 'human' | 'cost' | 'help' | 'greeting';

/** One lexicon phrase as tokens, with what finding it means. */
type Entry =
  | { tokens: string[]; type: 'term'; kind: Kind; label: string; when: Term['when'] }
  | { tokens: string[]; type: 'negation' | 'international' }
  | { tokens: string[]; type: 'intent'; intent: PhraseIntent };

interface Match {
  clause: number;
  start: number;
  end: number;
  entry: Entry;
}

interface Compiled {
  /** Entries indexed by their first token, so a text is scanned once rather than once per phrase. */
  byFirstToken: Map<string, Entry[]>;
  keywords: Map<string, Intent>;
  optOutKeywords: Set<string>;
  helpKeywords: Set<string>;
}

/** Words that start a new clause: "we don't do payroll but we do billing" must keep billing. */
const CLAUSE_WORDS = new Set(['but', 'however', 'although']);
/** How far back (in tokens) a negation reaches: "we don't process payments or payroll". */
const NEGATION_REACH = 4;
const PHRASE_INTENTS: PhraseIntent[] = ['optOut', 'restart', 'human', 'cost', 'help', 'greeting'];
const CHOICE = /^(?:#|no\.?|number|option|choice)?\s*\(?\s*(\d)\s*[.):]?\s*$/;

const cache = new WeakMap<Lexicon, Compiled>();

/** Lowercase, drop apostrophes ("don't" -> "dont", "clients'" -> "clients"), keep only [a-z0-9] words. */
function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`\u00b4']/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .split(' ')
    .filter((token) => token !== '');
}

/** Punctuation and contrast words bound clauses, so a negation never reaches across them. */
function clausesOf(text: string): string[][] {
  const clauses: string[][] = [];
  for (const part of text.split(/[.,;!?]+/)) {
    let current: string[] = [];
    for (const token of tokenize(part)) {
      if (CLAUSE_WORDS.has(token)) {
        clauses.push(current);
        current = [];
      } else current.push(token);
    }
    clauses.push(current);
  }
  return clauses.filter((clause) => clause.length > 0);
}

function compile(lexicon: Lexicon): Compiled {
  const entries: Entry[] = [];
  const addTerms = (kind: Kind, terms: Term[]): void => {
    for (const { label, when, match } of terms) {
      for (const phrase of match) entries.push({ tokens: tokenize(phrase), type: 'term', kind, label, when });
    }
  };
  addTerms('financial', lexicon.product.financial);
  addTerms('data', lexicon.product.data);
  addTerms('finance', lexicon.asker.finance);
  addTerms('security', lexicon.asker.security);
  addTerms('unknown', lexicon.asker.unknown);
  for (const phrase of lexicon.negation) entries.push({ tokens: tokenize(phrase), type: 'negation' });
  for (const phrase of lexicon.international) entries.push({ tokens: tokenize(phrase), type: 'international' });
  for (const intent of PHRASE_INTENTS) {
    for (const phrase of lexicon.intents[intent]) entries.push({ tokens: tokenize(phrase), type: 'intent', intent });
  }
  const byFirstToken = new Map<string, Entry[]>();
  for (const entry of entries) {
    const first = entry.tokens[0];
    if (first !== undefined) byFirstToken.set(first, [...(byFirstToken.get(first) ?? []), entry]);
  }
  const { optOutKeywords, optInKeywords, helpKeywords } = lexicon.intents;
  const keywords = new Map<string, Intent>();
  for (const word of optOutKeywords) keywords.set(word.toLowerCase(), 'optOutKeyword');
  for (const word of optInKeywords) keywords.set(word.toLowerCase(), 'optInKeyword');
  for (const word of helpKeywords) keywords.set(word.toLowerCase(), 'helpKeyword');
  const lower = (words: string[]): Set<string> => new Set(words.map((word) => word.toLowerCase()));
  return { byFirstToken, keywords, optOutKeywords: lower(optOutKeywords), helpKeywords: lower(helpKeywords) };
}

function compiled(lexicon: Lexicon): Compiled {
  let result = cache.get(lexicon);
  if (result === undefined) {
    result = compile(lexicon);
    cache.set(lexicon, result);
  }
  return result;
}

function findMatches(clauses: string[][], index: Compiled['byFirstToken']): Match[] {
  const found: Match[] = [];
  clauses.forEach((tokens, clause) => {
    tokens.forEach((token, start) => {
      for (const entry of index.get(token) ?? []) {
        if (entry.tokens.every((word, i) => tokens[start + i] === word)) {
          found.push({ clause, start, end: start + entry.tokens.length, entry });
        }
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

/** `when: answer` terms ("security", "customer") only mean something in reply to their own question. */
function eligible(entry: Entry, awaiting: Awaiting | null): boolean {
  if (entry.type !== 'term' || entry.when === 'any') return true;
  const question: Awaiting = entry.kind === 'financial' || entry.kind === 'data' ? 'product' : 'asker';
  return awaiting === question;
}

const negatedBy = (negations: Match[]) => (m: Match): boolean =>
  negations.some((n) => n.clause === m.clause && n.end <= m.start && m.start - n.start <= NEGATION_REACH);

function firstLabel(terms: Match[], kind: Kind): string | null {
  const hit = terms.find((m) => m.entry.type === 'term' && m.entry.kind === kind);
  return hit?.entry.type === 'term' ? hit.entry.label : null;
}

function productOf(terms: Match[]): ProductFacts | null {
  const financial = firstLabel(terms, 'financial');
  const data = firstLabel(terms, 'data');
  return financial === null && data === null ? null : { financial, data };
}

/** A named asker who is neither side ("a prospect", "not sure") still answers the question. */
function askerOf(terms: Match[]): AskerFacts | null {
  const finance = firstLabel(terms, 'finance');
  const security = firstLabel(terms, 'security');
  if (finance !== null || security !== null) return { finance, security };
  return firstLabel(terms, 'unknown') === null ? null : { finance: null, security: null };
}

/** A greeting only when greeting phrases cover every word: "hi, we do payroll" is an answer. */
function onlyGreeting(greetings: Match[], tokenCount: number): boolean {
  const covered = new Set(greetings.flatMap((m) => Array.from({ length: length(m) }, (_, i) => `${m.clause}:${m.start + i}`)));
  return tokenCount > 0 && covered.size === tokenCount;
}

function phraseIntent(intents: Match[], tokens: string[], c: Compiled): Intent {
  const found = (intent: PhraseIntent): Match[] =>
    intents.filter((m) => m.entry.type === 'intent' && m.entry.intent === intent);
  // A lone keyword wrapped in punctuation ("STOP!") is not a carrier keyword but still means it.
  const lone = tokens.length === 1 ? tokens[0] ?? '' : '';
  if (found('optOut').length > 0 || c.optOutKeywords.has(lone)) return 'optOut';
  for (const intent of ['restart', 'human', 'cost'] as const) if (found(intent).length > 0) return intent;
  if (found('help').length > 0 || c.helpKeywords.has(lone)) return 'help';
  return onlyGreeting(found('greeting'), tokens.length) ? 'greeting' : 'answer';
}

/** "2", "#2", "option 2", "2)" in reply to a numbered question picks that option's facts. */
function applyChoice(reading: Reading, text: string, lexicon: Lexicon, awaiting: Awaiting | null): void {
  const digit = CHOICE.exec(text.trim().toLowerCase())?.[1];
  if (digit === undefined) return;
  const product = awaiting === 'product' ? lexicon.choices.product[digit] : undefined;
  const asker = awaiting === 'asker' ? lexicon.choices.asker[digit] : undefined;
  if (product !== undefined) reading.product = { ...product };
  if (asker !== undefined) reading.asker = { ...asker };
}

/** Reads one inbound text: its intent, and what it says about the product, the asker and selling abroad. */
export function interpret(text: string, lexicon: Lexicon, awaiting: Awaiting | null): Reading {
  const c = compiled(lexicon);
  const clauses = clausesOf(text);
  const matches = findMatches(clauses, c.byFirstToken);
  const of = (type: Entry['type']): Match[] => matches.filter((m) => m.entry.type === type);
  // Out-of-scope `when: answer` phrases still take part in longest-wins, then drop out: in a product
  // answer "soc 1 or soc 2" means "unsure" (nothing), not a SOC 1 request plus a SOC 2 request.
  const terms = longestWins(of('term'));
  // A negation inside a recognised phrase ("not sure", "no idea") negates nothing.
  const isNegated = negatedBy(of('negation').filter((n) => !terms.some((t) => overlaps(t, n))));
  const active = terms.filter((m) => eligible(m.entry, awaiting) && !isNegated(m));
  // An intent word inside a longer business term ("human capital management") is not an intent.
  const intents = of('intent').filter((m) => !terms.some((t) => overlaps(t, m) && length(t) > length(m)));

  const reading: Reading = {
    intent: c.keywords.get(text.trim().toLowerCase()) ?? phraseIntent(intents, clauses.flat(), c),
    product: productOf(active),
    asker: askerOf(active),
    international: of('international').some((m) => !isNegated(m)),
  };
  applyChoice(reading, text, lexicon, awaiting);
  return reading;
}
