/** Which question the bot is waiting on an answer to. */
export type Awaiting = 'product' | 'asker';

/**
 * What a text says about the product. Each field is the label of the first lexicon term found
 * (e.g. "payroll", "patient data"), or null when nothing of that kind was said.
 */
export interface ProductFacts {
  /** The service touches customers' financial reporting. */
  financial: string | null;
  /** The service stores or processes customers' data. */
  data: string | null;
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
  | 'answer';

export interface Reading {
  intent: Intent;
  /** null when nothing about the product was recognised; otherwise at least one field is set. */
  product: ProductFacts | null;
  /** null when no asker was recognised. */
  asker: AskerFacts | null;
  /** The text mentions selling abroad (international, EU, UK, GDPR, ISO...). */
  international: boolean;
}
