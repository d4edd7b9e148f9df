import { describe, expect, it } from 'vitest';
import type { ReasonKey, Side, TypeAdvice, Verdict } from '../../src/core/advise.js';
import type { Say } from '../../src/core/conversation-machine.js';
import type { Language } from '../../src/core/languages.js';
import { flowIn, TranslationSchema } from '../../src/core/localize-flow.js';
import { renderReply } from '../../src/core/render-reply.js';
import { countSegments, findNonGsmCharacters } from '../../src/core/sms-segments.js';
import { ADVISOR as advisor } from '../support/copy.js';
import { rawFlowFile, shippedFlows } from '../support/flows.js';

/** The Spanish copy (flows/es/main.yaml) under the same checks as the English: GSM-7 and the same segment budgets. */
const { flow, translations } = shippedFlows();
const rawSpanish = rawFlowFile('es/main.yaml');
const QUOTE_CHARS = 36;
/** PJ answers in English only (the default), or in Spanish too: both wordings must fit. */
const SPANISH: Array<[string, readonly Language[]]> = [
  ['PJ answers in English', ['en']],
  ['PJ answers in Spanish', ['en', 'es']],
];
const segments = (text: string): number => countSegments(text).segments;

function walkTexts(value: unknown, path: string[] = []): Array<[string, string]> {
  if (typeof value === 'string') return [[path.join('.'), value]];
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([key, child]) => walkTexts(child, [...path, key]));
  return [];
}

const quoteOf = (length: number): string =>
  'hacemos nomina y facturacion para clinicas dentales'
    .padEnd(length, ' x')
    .slice(0, length)
    .trimEnd()
    .padEnd(length, 'x');

const ALL: Verdict[] = ['soc1', 'soc2', 'both'];
const REASONS: Record<ReasonKey, { verdicts: Verdict[]; sides: Side[] }> = {
  'soc1.product': { verdicts: ['soc1'], sides: ['client'] },
  'soc1.asker': { verdicts: ['soc1'], sides: ['client'] },
  'soc1.productAndAsker': { verdicts: ['soc1'], sides: ['client'] },
  'soc2.product': { verdicts: ['soc2'], sides: ['client'] },
  'soc2.asker': { verdicts: ['soc2'], sides: ['client'] },
  'both.product': { verdicts: ['both'], sides: ['client'] },
  'both.asker': { verdicts: ['both'], sides: ['client'] },
  requested: { verdicts: ALL, sides: ['client', 'buyer'] },
  'buyer.soc1': { verdicts: ['soc1'], sides: ['buyer'] },
  'buyer.soc2': { verdicts: ['soc2'], sides: ['buyer'] },
  'buyer.both': { verdicts: ['both'], sides: ['buyer'] },
};
const TYPE_ADVICE = ['default', 'type1Requested', 'type2Requested', 'buyer'] as const satisfies readonly TypeAdvice[];
type VerdictSay = Extract<Say, { message: 'verdict' }>;
const quote = quoteOf(QUOTE_CHARS);
const verdicts: VerdictSay[] = (Object.entries(REASONS) as Array<[ReasonKey, (typeof REASONS)[ReasonKey]]>).flatMap(
  ([reason, { verdicts: vs, sides }]) =>
    vs.flatMap((verdict) =>
      sides.flatMap((side) =>
        TYPE_ADVICE.flatMap((typeAdvice) =>
          [false, true].map((international) => ({
            message: 'verdict' as const,
            international,
            advice: { verdict, side, reason, typeAdvice, product: quote, asker: quote, request: quote },
          })),
        ),
      ),
    ),
);
const others: Say[] = [
  ...(['askProduct', 'askAsker'] as const).flatMap((message) =>
    [true, false].flatMap((greet) => [false, true].map((buyer) => ({ message, greet, buyer }))),
  ),
  ...(['reaskProduct', 'reaskAsker'] as const).flatMap((message) => [false, true].map((buyer) => ({ message, buyer }))),
  ...(['product', 'asker'] as const).flatMap((question) =>
    [false, true].map((buyer) => ({ message: 'pending' as const, question, buyer })),
  ),
  { message: 'conflict', product: quote },
  ...(
    [
      'greeting',
      'unclear',
      'handoffHuman',
      'handoffCost',
      'help',
      'optOutConfirm',
      'optInConfirm',
      'restart',
      'resumed',
      'pointer',
      'ended',
      'holding',
    ] as const
  ).map((message) => ({ message })),
];

describe('the Spanish copy (flows/es/main.yaml)', () => {
  it("is GSM-7 throughout but the web panel's words: no á, í, ó or ú, which cost a UCS-2 segment", () => {
    // The web chat panel's words (web:) are never sent by SMS, so they keep every accent.
    const texts = walkTexts(rawSpanish).filter(([path]) => !path.startsWith('web.'));
    expect(texts.length).toBeGreaterThan(60);
    for (const [path, text] of texts) expect(findNonGsmCharacters(text), path).toEqual([]);
    expect(TranslationSchema.safeParse(rawSpanish).success).toBe(true);
  });

  it('has a text for every client-facing text of the English flow, and an answer for every topic', () => {
    const spanish = flowIn({ flow, translations }, 'es');
    expect(Object.keys(spanish.answers).sort()).toEqual(Object.keys(flow.answers).sort());
    for (const key of ['greeting', 'pointer', 'holding', 'optOutConfirm', 'help', 'unclear'] as const)
      expect(spanish[key]).not.toBe(flow[key]);
    // PJ's own words stay English.
    expect(spanish.advisor).toBe(flow.advisor);
    expect(spanish.desk).toBe(flow.desk);
  });

  it("words the web chat panel: every web: text of the English flow but PJ's, with the same placeholders", () => {
    const panel = (rawSpanish as { web: Record<string, string> }).web;
    const english: Record<string, string> = flow.web;
    // What PJ reads about a web conversation (the contact as the visitor's message, transcript notes).
    const pjReads = ['contactNotice', 'contactNote', 'seenNote'];
    expect(Object.keys(panel).sort()).toEqual(
      Object.keys(english)
        .filter((key) => !pjReads.includes(key))
        .sort(),
    );
    const placeholders = (text = '') => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const named = ['title', 'bot'];
    for (const [key, text] of Object.entries(panel)) {
      expect(placeholders(text), key).toEqual(placeholders(english[key]));
      if (!named.includes(key)) expect(text, key).not.toBe(english[key]);
    }
    const spanish: Record<string, string> = flowIn({ flow, translations }, 'es').web;
    for (const key of Object.keys(panel)) expect(spanish[key], key).toBe(panel[key]);
    for (const key of pjReads) expect(spanish[key], key).toBe(english[key]);
  });

  describe.each(SPANISH)('when %s', (_name, advisorLanguages) => {
    const spanish = flowIn({ flow, translations, advisorLanguages }, 'es');
    const render = (say: Say): string => renderReply([say], spanish, advisor, 'sms') ?? '';

    it(`fits every verdict in 2 segments with ${QUOTE_CHARS}-character quotes, as GSM-7 with every placeholder filled`, () => {
      for (const say of verdicts) {
        const text = render(say);
        expect(text).not.toMatch(/\{\w+\}/);
        expect(countSegments(text).encoding, text).toBe('GSM-7');
        expect(segments(text), text).toBeLessThanOrEqual(2);
        expect(
          text.startsWith(
            (say.advice.side === 'buyer' ? spanish.verdict.buyerHeadline : spanish.verdict.headline)[
              say.advice.verdict
            ],
          ),
        ).toBe(true);
        expect(text).toContain('858-461-8054');
      }
    });

    it('fits the greeting and the first question in one segment, and every question in one', () => {
      for (const say of others.filter(
        (s) => s.message.startsWith('ask') || s.message.startsWith('reask') || s.message === 'pending',
      )) {
        expect(segments(render(say)), JSON.stringify(say)).toBe(1);
      }
    });

    it('fits each answer in 2 segments, and 3 with the pending question', () => {
      for (const topic of Object.keys(spanish.answers)) {
        const answer = render({ message: 'topics', topics: [topic] });
        expect(segments(answer), answer).toBeLessThanOrEqual(2);
        for (const pending of Object.values(spanish.pending))
          expect(segments(`${answer} ${pending}`)).toBeLessThanOrEqual(3);
      }
    });

    it('fits everything else in 2 segments, ending as a sentence', () => {
      for (const say of others) {
        const text = render(say);
        expect(countSegments(text).encoding, text).toBe('GSM-7');
        expect(segments(text), text).toBeLessThanOrEqual(2);
        expect(text.trimEnd(), text).toMatch(/[.?!)"]$/);
        expect(text, text).not.toMatch(/ {2}| [.,;:?!]/);
      }
    });

    it('says PJ answers in English exactly when he does not answer in Spanish', () => {
      const handoffs: Say[] = [
        { message: 'handoffHuman' },
        { message: 'handoffCost' },
        { message: 'unclear' },
        { message: 'conflict', product: 'un CRM' },
      ];
      const englishOnly = !advisorLanguages.includes('es');
      for (const say of [...handoffs, ...verdicts.filter((v) => v.advice.reason === 'requested')]) {
        expect(/ingl[eé]s/.test(render(say)), render(say)).toBe(englishOnly);
      }
    });
  });
});
