import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFlows } from '../../src/adapters/flow-files/load-flows.js';
import type { ReasonKey, Side, TypeAdvice, Verdict } from '../../src/core/advise.js';
import type { Say } from '../../src/core/conversation-machine.js';
import type { ConversationRecord } from '../../src/core/conversation.js';
import { FlowSchema } from '../../src/core/flow.js';
import type { AdvisorNotice } from '../../src/core/ports.js';
import { renderNotice } from '../../src/core/render-notice.js';
import type { Refusal } from '../../src/core/driving-ports.js';
import { renderRefusal } from '../../src/core/render-refusal.js';
import { fillCopy, renderReply, verdictParts } from '../../src/core/render-reply.js';
import { countSegments, findNonGsmCharacters } from '../../src/core/sms-segments.js';
import { ADVISOR as advisor } from '../support/copy.js';
import { rawFlowFile, shippedFlows } from '../support/flows.js';

const { flow } = shippedFlows();
const rawFlow = rawFlowFile('main.yaml');
const by = (surface: string): string => fillCopy(flow.advisor.by, advisor, { surface });
/** The reason quotes a few of the client's own words; interpret() keeps them this short. */
const QUOTE_CHARS = 36;

/** A quote of exactly `length` characters, made of words. */
function quoteOf(length: number, words = 'we run payroll and billing for dental clinics in three states'): string {
  const text = words.padEnd(length, ' x').slice(0, length);
  return text.endsWith(' ') ? `${text.slice(0, -1)}x` : text;
}

const render = (say: Say): string => renderReply([say], flow, advisor, 'sms') ?? '';
const segments = (text: string): number => countSegments(text).segments;

/** Every string in a YAML value, with its dotted path. */
function walkTexts(value: unknown, path: string[] = []): Array<[string, string]> {
  if (typeof value === 'string') return [[path.join('.'), value]];
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([key, child]) => walkTexts(child, [...path, key]));
  return [];
}

// Which verdicts and sides each reason goes with (the advice model); TypeScript keeps it complete.
const ALL_VERDICTS: Verdict[] = ['soc1', 'soc2', 'both'];
const REASONS: Record<ReasonKey, { verdicts: Verdict[]; sides: Side[] }> = {
  'soc1.product': { verdicts: ['soc1'], sides: ['client'] },
  'soc1.asker': { verdicts: ['soc1'], sides: ['client'] },
  'soc1.productAndAsker': { verdicts: ['soc1'], sides: ['client'] },
  'soc2.product': { verdicts: ['soc2'], sides: ['client'] },
  'soc2.asker': { verdicts: ['soc2'], sides: ['client'] },
  'both.product': { verdicts: ['both'], sides: ['client'] },
  'both.asker': { verdicts: ['both'], sides: ['client'] },
  requested: { verdicts: ALL_VERDICTS, sides: ['client', 'buyer'] },
  'buyer.soc1': { verdicts: ['soc1'], sides: ['buyer'] },
  'buyer.soc2': { verdicts: ['soc2'], sides: ['buyer'] },
  'buyer.both': { verdicts: ['both'], sides: ['buyer'] },
};
const TYPE_ADVICE = ['default', 'type1Requested', 'type2Requested', 'buyer'] as const satisfies readonly TypeAdvice[];

type VerdictSay = Extract<Say, { message: 'verdict' }>;
const verdictSays = (quote: string): VerdictSay[] =>
  (Object.entries(REASONS) as Array<[ReasonKey, (typeof REASONS)[ReasonKey]]>).flatMap(
    ([reason, { verdicts, sides }]) =>
      verdicts.flatMap((verdict) =>
        sides.flatMap((side) =>
          TYPE_ADVICE.flatMap((typeAdvice) =>
            [false, true].map((international) => ({
              message: 'verdict' as const,
              international,
              advice: {
                verdict,
                side,
                reason,
                typeAdvice,
                product: `${quote}p`.slice(-quote.length),
                asker: `a${quote}`.slice(0, quote.length),
                request: quote,
              },
            })),
          ),
        ),
      ),
  );
const longVerdicts = verdictSays(quoteOf(QUOTE_CHARS));
const name = (say: VerdictSay): string => {
  const { verdict, side, reason, typeAdvice } = say.advice;
  return `${reason} ${verdict} ${side} ${typeAdvice}${say.international ? ' abroad' : ''}`;
};

/** Everything else the bot can say to a client, one say each. */
const otherSays: Say[] = [
  ...(['askProduct', 'askAsker'] as const).flatMap((message) =>
    [true, false].flatMap((greet) => [false, true].map((buyer) => ({ message, greet, buyer }))),
  ),
  ...(['reaskProduct', 'reaskAsker'] as const).flatMap((message) => [false, true].map((buyer) => ({ message, buyer }))),
  ...(['product', 'asker'] as const).flatMap((question) =>
    [false, true].map((buyer) => ({ message: 'pending' as const, question, buyer })),
  ),
  ...Object.keys(flow.answers).map((topic) => ({ message: 'topics' as const, topics: [topic] })),
  { message: 'conflict', product: quoteOf(QUOTE_CHARS) },
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
  ...(['picture', 'pictures', 'file'] as const).map((kind) => ({ message: 'mediaAck' as const, kind })),
];

describe('every text', () => {
  const texts = walkTexts(rawFlow);

  it('is found', () => {
    expect(texts.length).toBeGreaterThan(60);
  });

  it.each(texts)('%s is GSM-7', (_path, text) => {
    expect(findNonGsmCharacters(text)).toEqual([]);
  });

  it.each([
    ...longVerdicts.map((say) => [name(say), say] as const),
    ...otherSays.map((say) => [JSON.stringify(say), say] as const),
  ])('%s renders as GSM-7 with every placeholder filled', (_name, say) => {
    const text = render(say);
    expect(text).not.toBe('');
    expect(text).not.toMatch(/\{\w+\}/);
    expect(countSegments(text).encoding).toBe('GSM-7');
  });
});

describe('the verdict', () => {
  it('is rendered for every reason and every Type advice the flow has words for', () => {
    expect(Object.keys(REASONS).sort()).toEqual(Object.keys(flow.verdict.reason).sort());
    expect([...TYPE_ADVICE].sort()).toEqual(Object.keys(flow.verdict.types).sort());
  });

  it.each(longVerdicts.map((say) => [name(say), say] as const))(
    `%s fits 2 SMS segments with ${QUOTE_CHARS}-character quotes`,
    (_name, say) => {
      const text = render(say);
      expect(segments(text), text).toBeLessThanOrEqual(2);
    },
  );

  it.each(longVerdicts.map((say) => [name(say), say] as const))(
    '%s has every required part, and each optional line that fits',
    (_name, say) => {
      const { advice } = say;
      const buyer = advice.side === 'buyer';
      const text = render(say);
      const parts = verdictParts(say, flow, advisor);
      expect(text.startsWith((buyer ? flow.verdict.buyerHeadline : flow.verdict.headline)[advice.verdict])).toBe(true);
      expect(text).toContain(parts.reason);
      expect(text).toContain(parts.handoff);
      expect(text).toContain('858-461-8054');
      // The reason quotes the client's words whole, in quotation marks.
      for (const field of ['product', 'asker', 'request'] as const) {
        if (flow.verdict.reason[advice.reason].includes(`{${field}}`)) expect(text).toContain(`"${advice[field]}"`);
      }
      const optional = [
        ...(advice.verdict === 'both' && !buyer ? [flow.verdict.both] : []),
        ...(say.international ? [flow.verdict.international] : []),
      ];
      for (const line of optional) {
        if (!text.includes(line))
          expect(segments(`${text} ${line}`), `${line} was dropped though it fits`).toBeGreaterThan(2);
      }
    },
  );

  it('keeps the optional lines when the quotes are short', () => {
    const say: VerdictSay = {
      message: 'verdict',
      international: true,
      advice: {
        verdict: 'soc1',
        side: 'client',
        reason: 'soc1.asker',
        typeAdvice: 'default',
        product: 'payroll',
        asker: 'the CFO',
        request: '',
      },
    };
    expect(render(say)).toContain(flow.verdict.international);
  });

  it('tells a buyer what to request and a vendor what it needs, never the other way round', () => {
    for (const say of longVerdicts) {
      const text = render(say);
      const ownHeadlines = say.advice.side === 'buyer' ? flow.verdict.buyerHeadline : flow.verdict.headline;
      const otherHeadlines = say.advice.side === 'buyer' ? flow.verdict.headline : flow.verdict.buyerHeadline;
      expect(text.startsWith(ownHeadlines[say.advice.verdict])).toBe(true);
      for (const headline of Object.values(otherHeadlines)) expect(text, name(say)).not.toContain(headline);
    }
  });
});

describe('short texts', () => {
  it.each([false, true])('the greeting and the first question fit one segment (buyer %s)', (buyer) => {
    for (const message of ['askProduct', 'askAsker'] as const) {
      const text = render({ message, greet: true, buyer });
      expect(text.startsWith(flow.greeting.replace('{advisor}', advisor.name))).toBe(true);
      expect(segments(text), text).toBe(1);
    }
  });

  it("acknowledges a picture with the pending question in one segment, and a first one's greeting and question in two", () => {
    for (const kind of ['picture', 'pictures', 'file'] as const) {
      const ack: Say = { message: 'mediaAck', kind };
      for (const question of ['product', 'asker'] as const) {
        const text = renderReply([ack, { message: 'pending', question, buyer: false }], flow, advisor, 'sms') ?? '';
        expect(segments(text), text).toBe(1);
      }
      const first =
        renderReply(
          [{ message: 'greeting' }, ack, { message: 'askProduct', greet: false, buyer: false }],
          flow,
          advisor,
          'sms',
        ) ?? '';
      expect(segments(first), first).toBeLessThanOrEqual(2);
    }
  });

  it('every question, asked again or not, fits one segment', () => {
    for (const say of otherSays.filter(
      (s) => s.message.startsWith('ask') || s.message.startsWith('reask') || s.message === 'pending',
    )) {
      expect(segments(render(say)), JSON.stringify(say)).toBe(1);
    }
  });

  it('a conversation from "hi" to the verdict costs at most 5 segments', () => {
    const worst = (says: Say[]): number => Math.max(...says.map((say) => segments(render(say))));
    const greeted = otherSays.filter((s) => s.message === 'askProduct' && s.greet);
    const asker = otherSays.filter((s) => s.message === 'askAsker' && !s.greet);
    expect(worst(greeted) + worst(asker) + worst(longVerdicts)).toBeLessThanOrEqual(5);
  });

  it.each(Object.keys(flow.answers))(
    'the answer on %s fits 2 segments on its own, and 3 with the pending question',
    (topic) => {
      const answer = render({ message: 'topics', topics: [topic] });
      expect(segments(answer), answer).toBeLessThanOrEqual(2);
      for (const pending of Object.values(flow.pending))
        expect(segments(`${answer} ${pending}`)).toBeLessThanOrEqual(3);
    },
  );

  it.each(
    otherSays
      .filter((s) => !['topics', 'verdict'].includes(s.message))
      .map((say) => [JSON.stringify(say), say] as const),
  )('%s fits 2 segments', (_name, say) => {
    expect(segments(render(say))).toBeLessThanOrEqual(2);
  });
});

describe('grammar spot checks', () => {
  const rendered = [...longVerdicts.map(render), ...otherSays.map(render)];

  it('has no doubled words, double spaces or space before punctuation', () => {
    for (const text of rendered) {
      expect(text, text).not.toMatch(/\b(\w+) \1\b/i);
      expect(text, text).not.toMatch(/ {2}| [.,;:?!]/);
    }
  });

  it('ends every text as a sentence', () => {
    for (const text of rendered) expect(text.trimEnd(), text).toMatch(/[.?!)"]$/);
  });

  it('describes the 3-12 month window as the period of a Type 2, never as a Type 1 or the project', () => {
    const copy = [...walkTexts(rawFlow).map(([, text]) => text), ...rendered];
    const windows = copy.filter((text) => /3-12 month/.test(text));
    expect(windows.length).toBeGreaterThan(0);
    for (const text of windows) {
      for (const match of text.matchAll(/3-12 month/g)) {
        const before = text.slice(0, match.index);
        const types = [...before.matchAll(/Type ([12])/g)];
        expect(types.at(-1)?.[1], text).toBe('2');
        expect(before.slice(before.lastIndexOf('Type 2')), text).toMatch(/period|window|over|covers/);
      }
    }
  });

  it('advises a Type 1 first only when no Type was named', () => {
    const firstType = (text: string): string | undefined => /Type ([12])/.exec(text)?.[1];
    expect(firstType(flow.verdict.types.type2Requested)).toBe('2');
    expect(firstType(flow.verdict.types.type1Requested)).toBe('1');
    expect(flow.verdict.types.type2Requested).not.toContain(flow.verdict.types.default);
  });
});

describe('notices to PJ', () => {
  const record: ConversationRecord = {
    id: 42,
    channel: 'sms',
    participant: '+14155550101',
    conversationKey: '+14155550101',
    status: 'waiting',
    awaiting: null,
    answers: {
      product: 'we run payroll for about 300 dental clinics',
      asker: 'their auditors, for the year-end review',
    },
    verdict: 'both',
    side: 'client',
    flags: ['human', 'cost'],
    createdAt: '2026-11-26T10:00:00.000Z',
    updatedAt: '2026-11-26T10:05:00.000Z',
  };
  const clientText = 'Can we do a quick call Thursday? Our audit starts on the 15th.';
  const notices: AdvisorNotice[] = [
    { kind: 'flagged', reasons: ['conflict', 'followup'] },
    { kind: 'reminder' },
    { kind: 'clientMessage', text: clientText },
    {
      kind: 'clientMessage',
      text: clientText,
      media: [{ url: 'https://api.twilio.com/m/1', contentType: 'image/jpeg' }],
    },
    { kind: 'optedOut' },
    { kind: 'tookOver', by: by('slack') },
    { kind: 'released', by: fillCopy(flow.advisor.idleBy, advisor, { minutes: '120' }) },
    { kind: 'closed', by: by('sms') },
    { kind: 'deliveryProblem', problem: 'failed', text: clientText, detail: '30007: the carrier filtered the message' },
    { kind: 'deliveryProblem', problem: 'unknown', text: clientText, detail: 'the bot stopped mid-send' },
  ];

  it.each(notices.map((notice) => [JSON.stringify(notice), notice] as const))(
    'renders %s as GSM-7 within 2 segments, masking the number',
    (_name, notice) => {
      const text = renderNotice(notice, record, flow, advisor);
      expect(text).not.toMatch(/\{\w+\}/);
      expect(text).toMatch(/^#42\b/);
      expect(text).not.toContain(record.participant);
      expect(findNonGsmCharacters(text)).toEqual([]);
      expect(segments(text), text).toBeLessThanOrEqual(2);
    },
  );

  it("names the client's language in the flag, English for a record that names none", () => {
    const flagged: AdvisorNotice = { kind: 'flagged', reasons: ['cost'] };
    const labels = flow.advisor.labels.languages;
    expect(renderNotice(flagged, { ...record, language: 'es' }, flow, advisor)).toContain(labels.es);
    expect(renderNotice(flagged, record, flow, advisor)).toContain(labels.en);
  });

  it("tells PJ that a buying side's verdict is the report to request, and a client's is not", () => {
    const flagged: AdvisorNotice = { kind: 'flagged', reasons: ['followup'] };
    const buyer = renderNotice(flagged, { ...record, verdict: 'soc1', side: 'buyer' }, flow, advisor);
    const client = renderNotice(flagged, { ...record, verdict: 'soc1', side: 'client' }, flow, advisor);
    const labels = flow.advisor.labels;
    const toRequest = fillCopy(labels.buyer, advisor, { report: labels.soc1 });
    expect(buyer).toContain(toRequest);
    expect(client).toContain(labels.soc1);
    expect(client).not.toContain(toRequest);
  });
});

describe("PJ's answers and refusals", () => {
  const REFUSALS = [
    'not_found',
    'closed',
    'opted_out',
    'not_with_advisor',
    'empty',
  ] as const satisfies readonly Refusal[];

  it.each(REFUSALS)('words the %s refusal in one GSM-7 segment for a six-digit conversation', (refusal) => {
    const text = renderRefusal(refusal, 123456, flow, advisor);
    expect(text).not.toMatch(/\{\w+\}/);
    expect(findNonGsmCharacters(text)).toEqual([]);
    expect(segments(text), text).toBe(1);
  });

  it('answers each command in one GSM-7 segment', () => {
    const t = flow.advisor.commands;
    for (const text of [t.usage, t.sent, t.handedBack, t.closed, t.alreadyClosed, t.listEmpty]) {
      const answer = fillCopy(text, advisor, { id: '123456' });
      expect(answer).not.toMatch(/\{\w+\}/);
      expect(segments(answer), answer).toBe(1);
    }
  });
});

describe('FlowSchema', () => {
  function withText(path: string[], text: string): unknown {
    const copy = structuredClone(rawFlow) as Record<string, unknown>;
    let node: Record<string, unknown> = copy;
    for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
    node[path.at(-1) ?? ''] = text;
    return copy;
  }

  it('accepts the shipped flow', () => {
    expect(FlowSchema.safeParse(rawFlow).success).toBe(true);
  });

  it.each([[['pointer']], [['answers', 'types']], [['verdict', 'reason', 'soc2.product']]])(
    'rejects a curly quote, an em dash and an emoji in %j, naming the field and the characters',
    (path) => {
      const result = FlowSchema.safeParse(withText(path, 'It\u2019s fine \u2014 really \u{1F44D}'));
      expect(result.success).toBe(false);
      const [issue] = result.error?.issues ?? [];
      expect(issue?.path).toEqual(path);
      expect(issue?.message).toMatch(/not GSM-7: U\+2019, U\+2014, U\+1F44D/);
    },
  );

  it('rejects an unknown placeholder, and one meant only for PJ, in a client text', () => {
    for (const text of ['Text {advisr} at {phone}.', 'Thanks, #{id} is with {advisor}.']) {
      const result = FlowSchema.safeParse(withText(['pointer'], text));
      expect(result.success, text).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['pointer']);
    }
    expect(FlowSchema.safeParse(withText(['pointer'], 'Text {advisor} at {phone}.')).success).toBe(true);
  });

  it('allows each text only the placeholders its renderer fills', () => {
    const accepts = (path: string[], text: string) => FlowSchema.safeParse(withText(path, text)).success;
    expect(accepts(['pointer'], 'About {product}: text {advisor}.')).toBe(false);
    expect(
      accepts(['verdict', 'reason', 'soc2.product'], '{product}, {asker} and {request}: text {advisor} at {phone}.'),
    ).toBe(true);
    expect(accepts(['conflict'], '"{product}" for {asker}?')).toBe(false);
    expect(accepts(['advisor', 'refused', 'closed'], '#{id} is closed ({reasons}).')).toBe(false);
    expect(accepts(['desk', 'notSent'], 'Not sent to #{id}: {problem}')).toBe(false);
    expect(accepts(['advisor', 'clientMessage'], '#{id} on {channel} says: {text}')).toBe(true);
    expect(accepts(['advisor', 'reminder'], '#{id} says: {text}')).toBe(false);
  });

  it('wants a delivery note to name the outbox item before the detail, so a repeated report is recognised', () => {
    const accepts = (text: string) => FlowSchema.safeParse(withText(['transcript', 'notDelivered'], text)).success;
    expect(accepts('outbox item {item} was not delivered: {detail}')).toBe(true);
    expect(accepts('not delivered: {detail}')).toBe(false);
    expect(accepts('{detail}: outbox item {item} was not delivered')).toBe(false);
  });

  it('makes the flow loader name the file and the field path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flow-copy-'));
    try {
      writeFileSync(
        join(dir, 'main.yaml'),
        JSON.stringify(withText(['verdict', 'reason', 'both.product'], 'Both \u2014 sorry')),
      );
      writeFileSync(join(dir, 'lexicon.yaml'), readFileSync(new URL('../../flows/lexicon.yaml', import.meta.url)));
      expect(() => loadFlows(dir)).toThrow(/main\.yaml[\s\S]*verdict\.reason\.both\.product: not GSM-7: U\+2014/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
