import { z } from 'zod';

/**
 * One concept the bot recognises. `match` lists phrases (synonyms, abbreviations, common
 * misspellings), matched as whole words, case-insensitively, ignoring punctuation.
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

const ProductChoiceSchema = z.object({
  financial: z.string().min(1).nullable().default(null),
  data: z.string().min(1).nullable().default(null),
});
const AskerChoiceSchema = z.object({
  finance: z.string().min(1).nullable().default(null),
  security: z.string().min(1).nullable().default(null),
});

export const LexiconSchema = z.object({
  product: z.object({ financial: z.array(TermSchema).min(1), data: z.array(TermSchema).min(1) }),
  asker: z.object({
    finance: z.array(TermSchema).min(1),
    security: z.array(TermSchema).min(1),
    /** Askers that add nothing: a customer, a prospect, "not sure". */
    unknown: z.array(TermSchema).min(1),
  }),
  international: phrases,
  /** Words that cancel a term later in the same clause ("we don't touch billing"). */
  negation: phrases,
  intents: z.object({
    /** Exact single-word carrier keywords. */
    optOutKeywords: phrases,
    optInKeywords: phrases,
    helpKeywords: phrases,
    /** Phrases anywhere in a text. */
    optOut: phrases,
    restart: phrases,
    human: phrases,
    cost: phrases,
    help: phrases,
    /** A whole text made only of these is a greeting, not an answer. */
    greeting: phrases,
  }),
  /** The numbered choices offered with each question, by the number the user replies with. */
  choices: z.object({
    product: z.record(z.string().regex(/^\d$/), ProductChoiceSchema),
    asker: z.record(z.string().regex(/^\d$/), AskerChoiceSchema),
  }),
});
export type Lexicon = z.infer<typeof LexiconSchema>;
