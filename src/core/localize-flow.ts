import { z } from 'zod';
import { FlowSchema, WebPanelTranslationSchema, type Flow } from './flow.js';
import type { Language, TranslatedLanguage } from './languages.js';

/**
 * The client-facing part of the flow: everything a client reads (questions, choices, the verdict,
 * common-question answers, confirmations, handoffs; the web panel's words are added below). PJ's
 * notices, desk and transcript notes are not in it: his surfaces stay in English whatever the
 * client writes.
 */
const ClientCopySchema = FlowSchema.pick({
  greeting: true,
  askProduct: true,
  askAsker: true,
  askVendor: true,
  reaskProduct: true,
  reaskAsker: true,
  pending: true,
  unclear: true,
  conflict: true,
  handoffHuman: true,
  handoffCost: true,
  help: true,
  slackHelp: true,
  optOutConfirm: true,
  optInConfirm: true,
  restart: true,
  resumed: true,
  pointer: true,
  ended: true,
  holding: true,
  mediaAck: true,
  talkToAdvisor: true,
  slackChose: true,
  verdict: true,
  answers: true,
});

const { verdict } = FlowSchema.shape;

/**
 * A translation file (flows/<language>/main.yaml): the client-facing texts in that language, same
 * fields, same placeholders, GSM-7 (all but the web panel's words, which no SMS carries); plus
 * `advisorLanguage`, the handoffs as said when PJ does not answer in the client's language
 * (ADVISOR_LANGUAGES), which say so.
 */
export const TranslationSchema = ClientCopySchema.extend({
  /** The web chat panel's words, without what PJ reads about a web conversation. */
  web: WebPanelTranslationSchema,
  advisorLanguage: z.strictObject({
    unclear: FlowSchema.shape.unclear,
    conflict: FlowSchema.shape.conflict,
    handoffHuman: FlowSchema.shape.handoffHuman,
    handoffCost: FlowSchema.shape.handoffCost,
    handoff: verdict.shape.handoff,
    buyerHandoff: verdict.shape.buyerHandoff,
  }),
});
type Translation = z.infer<typeof TranslationSchema>;
export type Translations = Partial<Record<TranslatedLanguage, Translation>>;

/** The words in every language, and which ones PJ answers in (BotSettings has them). */
export interface FlowsByLanguage {
  flow: Flow;
  translations?: Translations;
  /** English when unset. */
  advisorLanguages?: readonly Language[];
}

/**
 * The flow as a client writing in `language` reads it: the translation's texts over the English
 * flow (PJ's stay English), and the handoffs that say PJ answers in English when his languages do
 * not include it. English, or a language with no translation, is the flow as it is.
 */
export function flowIn(flows: FlowsByLanguage, language: Language): Flow {
  const { flow, translations, advisorLanguages = ['en'] } = flows;
  if (language === 'en') return flow;
  const translation = translations?.[language];
  if (translation === undefined) return flow;
  const { advisorLanguage, web: panel, ...copy } = translation;
  const localized: Flow = { ...flow, ...copy, web: { ...flow.web, ...panel } };
  if (advisorLanguages.includes(language)) return localized;
  const { handoff, buyerHandoff, ...handoffs } = advisorLanguage;
  return { ...localized, ...handoffs, verdict: { ...localized.verdict, handoff, buyerHandoff } };
}
