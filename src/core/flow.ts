import { z } from 'zod';
import type { ReasonKey, TypeAdvice } from './advise.js';
import { findNonGsmCharacters } from './sms-segments.js';

const PLACEHOLDERS = ['advisor', 'phone', 'product', 'asker', 'request'] as const;
/** Texts to PJ about a conversation may also name it. */
const ADVISOR_PLACEHOLDERS = [...PLACEHOLDERS, 'id', 'reasons', 'sender', 'channel', 'verdict', 'text', 'by', 'detail', 'items'] as const;

/**
 * One text the bot sends. It must be GSM-7 (a curly quote or an em dash makes an SMS UCS-2 and
 * up to three times dearer) and may use only the placeholders the renderer fills in.
 */
const copyWith = (allowed: readonly string[]) =>
  z
    .string()
    .min(1)
    .superRefine((text, ctx) => {
    const bad = findNonGsmCharacters(text);
    if (bad.length > 0) {
      const shown = bad.map((c) => `U+${c.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`);
      ctx.addIssue({ code: 'custom', message: `not GSM-7: ${shown.join(', ')}; use plain ASCII quotes and dashes` });
    }
    for (const [, name] of text.matchAll(/\{(\w+)\}/g)) {
      if (name === undefined || !allowed.includes(name)) {
        ctx.addIssue({ code: 'custom', message: `unknown placeholder {${name}}; use ${allowed.join(', ')}` });
      }
    }
  });
const Copy = copyWith(PLACEHOLDERS);
const AdvisorCopy = copyWith(ADVISOR_PLACEHOLDERS);

/**
 * A question with numbered choices. SMS shows "question 1 a, 2 b, 3 c. freeText"; Slack shows
 * the question with one button per choice. Choice N means what lexicon.yaml's choice N means.
 */
const Question = z.strictObject({
  question: Copy,
  choices: z.array(Copy).min(2).max(9),
  freeText: Copy.optional(),
});
export type Question = z.infer<typeof Question>;

export const FlowSchema = z.strictObject({
  greeting: Copy,
  askProduct: Question,
  askAsker: Question,
  askVendor: Question,
  reaskProduct: Question,
  reaskAsker: Question,
  pending: z.strictObject({ product: Copy, asker: Copy, vendor: Copy }),
  unclear: Copy,
  conflict: Copy,
  handoffHuman: Copy,
  handoffCost: Copy,
  help: Copy,
  slackHelp: Copy,
  optOutConfirm: Copy,
  optInConfirm: Copy,
  restart: Copy,
  resumed: Copy,
  pointer: Copy,
  ended: Copy,
  holding: Copy,
  talkToAdvisor: Copy,
  /** What PJ is told, on his phone and in the Slack handoff thread. */
  advisor: z.strictObject({
    flagged: AdvisorCopy,
    reminder: AdvisorCopy,
    clientMessage: AdvisorCopy,
    optedOut: AdvisorCopy,
    tookOver: AdvisorCopy,
    released: AdvisorCopy,
    closed: AdvisorCopy,
    failed: AdvisorCopy,
    unknown: AdvisorCopy,
    usage: AdvisorCopy,
    list: AdvisorCopy,
    listEmpty: AdvisorCopy,
    internal: AdvisorCopy,
    notFound: AdvisorCopy,
  }),
  slackHome: z.strictObject({ about: Copy, start: Copy, contact: Copy }),
  verdict: z.strictObject({
    headline: z.strictObject({ soc1: Copy, soc2: Copy, both: Copy }),
    buyerHeadline: z.strictObject({ soc1: Copy, soc2: Copy, both: Copy }),
    reason: z.strictObject({
      'soc1.product': Copy,
      'soc1.asker': Copy,
      'soc1.productAndAsker': Copy,
      'soc2.product': Copy,
      'soc2.asker': Copy,
      'both.product': Copy,
      'both.asker': Copy,
      requested: Copy,
      'buyer.soc1': Copy,
      'buyer.soc2': Copy,
      'buyer.both': Copy,
    }) satisfies z.ZodType<Record<ReasonKey, string>>,
    types: z.strictObject({ default: Copy, type1Requested: Copy, type2Requested: Copy, buyer: Copy }) satisfies z.ZodType<
      Record<TypeAdvice, string>
    >,
    both: Copy,
    international: Copy,
    handoff: Copy,
    buyerHandoff: Copy,
  }),
  /** Answers to common questions, by the topic ids of lexicon.yaml's topics. */
  answers: z.record(z.string(), Copy),
});

/** All the bot's words, loaded from flows/main.yaml. */
export type Flow = z.infer<typeof FlowSchema>;
