import type { Verdict } from './advise.js';
import type { Language } from './languages.js';

/** Which question the bot is waiting on an answer to. */
export type Awaiting = 'product' | 'asker';

/**
 * What a text says about the product. Each field is the label of the first lexicon term of that
 * kind (e.g. "payroll", "patient data"), or null when nothing of that kind was said.
 */
export interface ProductFacts {
  /** Processing that feeds customers' books (payroll, billing, payments...). */
  financial: string | null;
  /** Sensitive data (card or bank details, SSNs, health records). */
  sensitive: string | null;
  /** A specific technology or service that plainly does not feed anyone's books (a CRM, hosting). */
  technology: string | null;
  /** Words that only say "tech" (software, SaaS, platform, data). */
  generic: string | null;
}

/**
 * Who is asking for the report. Both null means an asker was named but adds nothing
 * ("a customer", "not sure"): the product then decides alone.
 */
export interface AskerFacts {
  /** Finance side: CFO, controller, financial auditors, SOX team. */
  finance: string | null;
  /** Security side: security, IT, procurement, vendor risk, a questionnaire. */
  security: string | null;
}

/** A report or Type the requester named ("they want our SOC 1 Type 2"). */
export interface RequestFacts {
  report: Verdict | null;
  type: 1 | 2 | null;
}

/**
 * What one inbound text means. Keyword intents are the exact single-word carrier keywords
 * (STOP, START, HELP...), which Twilio itself answers on its numbers.
 */
export type Intent =
  | 'optOutKeyword'
  | 'optInKeyword'
  | 'helpKeyword'
  | 'optOut'
  | 'restart'
  | 'human'
  | 'cost'
  | 'help'
  | 'greeting'
  | 'acknowledgement'
  /** The text only asks for a language ("English please", "en español"). */
  | 'language'
  | 'answer';

/** The facts one text adds to a conversation, with the client's own words they came from. */
export interface Facts {
  product: ProductFacts | null;
  /** The client's words the product was recognised in, shortened and GSM-7 safe. */
  productQuote: string | null;
  asker: AskerFacts | null;
  askerQuote: string | null;
  request: RequestFacts | null;
  requestQuote: string | null;
  /** The writer is choosing what to request from a vendor. */
  buyer: boolean;
  /** "no wait", "actually": these facts replace the earlier ones of the same kind. */
  correction: boolean;
  /** "also", "too": these facts add to the earlier ones even where they would replace them. */
  addition: boolean;
  /** The text mentions selling abroad (international, EU, UK, GDPR...). */
  international: boolean;
}

export interface Reading extends Facts {
  intent: Intent;
  /** Common questions the text asks (topic ids of lexicon.topics), answered in place. */
  topics: string[];
  /** The text says something beyond fillers ("yes", "ok", "hmm"). */
  content: boolean;
  /** Some sentence of it is a question. */
  question: boolean;
  /** The text's first words, shortened and GSM-7 safe, to quote an answer the lexicon did not know. */
  textQuote: string;
  /** The language the text asks for ("en español por favor", "English?"), or null. */
  languageAsked: Language | null;
  /** The language its cue words point to ("hola", "gracias"; "the", "thanks"), or null. */
  languageCue: Language | null;
}
