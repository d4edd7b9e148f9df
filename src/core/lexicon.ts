import { z } from 'zod';
import type { Language, TranslatedLanguage } from './languages.js';

/**
 * One concept the bot recognises. `match` lists phrases (synonyms, abbreviations, trade terms),
 * matched as whole words, case-insensitively, ignoring punctuation, with plurals folded and small
 * typos forgiven (see interpret.ts), so a phrase needs no plural or misspelt copies.
 * `when: answer` terms count only in a reply to the matching question (a bare "IT" or
 * "security" is an asker only when we just asked who is asking).
 */
const TermSchema = z.object({
  label: z.string().min(1),
  match: z.array(z.string().min(1)).min(1),
  when: z.enum(['any', 'answer']).default('any'),
});
export type Term = z.infer<typeof TermSchema>;

const phrases = z.array(z.string().min(1)).min(1);
const terms = z.array(TermSchema).min(1);

const byLanguage = z.object({ en: phrases, es: phrases }) satisfies z.ZodType<Record<Language, string[]>>;

const ProductChoiceSchema = z.object({
  financial: z.string().min(1).nullable().default(null),
  sensitive: z.string().min(1).nullable().default(null),
  technology: z.string().min(1).nullable().default(null),
  generic: z.string().min(1).nullable().default(null),
});
const AskerChoiceSchema = z.object({
  finance: z.string().min(1).nullable().default(null),
  security: z.string().min(1).nullable().default(null),
});

export const LexiconSchema = z.object({
  product: z.object({
    /** Processing that feeds customers' books: SOC 1. */
    financial: terms,
    /** Sensitive data (card, bank, SSN, health): with financial processing, both. */
    sensitive: terms,
    /** A specific technology or outsourced service that plainly does not feed anyone's books: SOC 2. */
    technology: terms,
    /** Words that say "tech" and nothing more (software, SaaS, platform, app, data). */
    generic: terms,
  }),
  asker: z.object({
    finance: terms,
    security: terms,
    /** Askers that add nothing: a customer, a prospect, "not sure". */
    unknown: terms,
  }),
  /** A report or a Type the requester named. Labels: soc1, soc2, both, unsure, type1, type2. */
  requests: terms,
  /** Someone on the buying side: choosing what to request from a vendor. */
  buyer: phrases,
  /** "no wait", "actually": the facts in this text replace the earlier answer. */
  correction: phrases,
  /** "goes through Stripe": financial terms in the same clause are someone else's processing. */
  delegated: phrases,
  /** "forwarded", "cc'd": an asker named with these only passed the request on. */
  relay: phrases,
  /** "I don't know": a text with one answers nothing. */
  dontKnow: phrases,
  /** In a question, a named report counts only after one of these ("asking for", "want"). */
  requestVerbs: phrases,
  /** Talk about this conversation ("my boss told me to text you"), not about a business. */
  meta: phrases,
  /** "also", "too": a new asker adds to the earlier one instead of replacing it. */
  addition: phrases,
  international: phrases,
  /** Common questions by topic id; each topic's answer lives in flows/main.yaml (answers). */
  topics: z.record(z.string().regex(/^[a-z][a-zA-Z0-9]*$/), phrases),
  /** Words that cancel a term later in the same clause ("we don't touch billing"). */
  negation: phrases,
  /** Words that open a question ("what", "how", "is"...), for telling a question from an answer. */
  questionWords: phrases,
  /** Words that carry no answer ("yes", "ok", "hmm"): a text made only of them answers nothing. */
  fillers: phrases,
  intents: z.object({
    /** Exact single-word carrier keywords. */
    optOutKeywords: phrases,
    optInKeywords: phrases,
    helpKeywords: phrases,
    /** Clear requests to stop being texted or contacted, anywhere in a text. */
    optOut: phrases,
    /** Opt-outs only as the whole text ("please stop", but not "please stop asking me that"). */
    optOutAlone: phrases,
    restart: phrases,
    human: phrases,
    /** Phrases of one word count only in a question ("what does it cost?", not "cost accounting"). */
    cost: phrases,
    help: phrases,
    /** A whole text made only of these is a greeting, not an answer. */
    greeting: phrases,
    /** A whole text made only of these is an acknowledgement ("thanks", "ok"): no reply after a verdict. */
    acknowledgement: phrases,
  }),
  /** Which language a client asks for or writes in. */
  languages: z.object({
    /** Asking for a language anywhere in a text ("en español por favor", "english please"). */
    ask: byLanguage,
    /** A language named as the whole text, fillers aside ("Español.", "english?"). */
    alone: byLanguage,
    /** Words only one of the languages uses ("hola", "gracias"; "the", "thanks"): a short text's language. */
    cues: byLanguage,
  }),
  /** Words a question offers as choices, as a whole reply, by the choice number they pick. */
  choiceWords: z.object({
    product: z.record(z.string(), z.string().regex(/^\d$/)),
    asker: z.record(z.string(), z.string().regex(/^\d$/)),
  }),
  /** How a picked choice is quoted back in another language (the labels in `choices` are English). */
  choiceQuotes: z.object({
    es: z.object({
      product: z.record(z.string().regex(/^\d$/), z.string().min(1)),
      asker: z.record(z.string().regex(/^\d$/), z.string().min(1)),
    }),
  }) satisfies z.ZodType<Record<TranslatedLanguage, unknown>>,
  /** The numbered choices offered with each question, by the number the user replies with. */
  choices: z.object({
    product: z.record(z.string().regex(/^\d$/), ProductChoiceSchema),
    asker: z.record(z.string().regex(/^\d$/), AskerChoiceSchema),
  }),
});

/**
 * What the bot understands: the lexicon file plus the ordinary English words the shell loads
 * (typo tolerance never "corrects" a real word: "willing" is not "billing").
 */
export type Lexicon = z.infer<typeof LexiconSchema> & { ordinaryWords?: ReadonlySet<string> };
