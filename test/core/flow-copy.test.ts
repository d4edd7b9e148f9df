import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { parse } from 'yaml';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { loadFlows } from '../../src/adapters/flow-files/load-flows.js';
import { advise, type ReasonKey } from '../../src/core/advise.js';
import { conversationMachine, type ConversationEvent, type Say } from '../../src/core/conversation-machine.js';
import type { ConversationRecord } from '../../src/core/conversation.js';
import { FlowSchema, type Flow } from '../../src/core/flow.js';
import { LexiconSchema } from '../../src/core/lexicon.js';
import type { AdvisorNotice } from '../../src/core/ports.js';
import type { AskerFacts, ProductFacts } from '../../src/core/reading.js';
import { renderNotice } from '../../src/core/render-notice.js';
import { renderReply, type Advisor } from '../../src/core/render-reply.js';
import { countSegments, findNonGsmCharacters } from '../../src/core/sms-segments.js';

const MAX_SEGMENTS_PER_TEXT = 3;
const MAX_SEGMENTS_HAPPY_PATH = 6;
/** A text to PJ is one he reads at a glance on his phone. */
const MAX_SEGMENTS_TO_ADVISOR = 2;
const advisor: Advisor = { name: 'PJ', phone: '+18584618054' };

function readYaml(name: string): unknown {
  return parse(readFileSync(new URL(`../../flows/${name}`, import.meta.url), 'utf8'));
}

const rawFlow = readYaml('main.yaml');
const flow: Flow = FlowSchema.parse(rawFlow);
const lexicon = LexiconSchema.parse(readYaml('lexicon.yaml'));

function longest(labels: Array<string | null>): string {
  const present = labels.filter((l): l is string => l !== null);
  return present.reduce((a, b) => (b.length > a.length ? b : a), '');
}

// Every label the bot can quote back: the lexicon terms and the numbered choices.
const productChoices = Object.values(lexicon.choices.product);
const askerChoices = Object.values(lexicon.choices.asker);
const longestFinancial = longest([
  ...lexicon.product.financial.map((t) => t.label),
  ...productChoices.map((c) => c.financial),
]);
const longestData = longest([...lexicon.product.data.map((t) => t.label), ...productChoices.map((c) => c.data)]);
const longestFinance = longest([...lexicon.asker.finance.map((t) => t.label), ...askerChoices.map((c) => c.finance)]);
const longestSecurity = longest([
  ...lexicon.asker.security.map((t) => t.label),
  ...askerChoices.map((c) => c.security),
]);
const longestProduct = longest([longestFinancial, longestData]);
const longestAsker = longest([longestFinance, longestSecurity, ...lexicon.asker.unknown.map((t) => t.label)]);

function fillDefaults(text: string): string {
  const vars: Record<string, string> = {
    advisor: 'PJ',
    phone: '858-461-8054',
    product: longestProduct,
    asker: longestAsker,
  };
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole);
}

// Realistic values for the texts to PJ. The answers are the client's own words: a 160-character
// answer is not required to fit, a usual one (about 40 characters) is.
const PRODUCT_ANSWER = 'we run payroll for about 300 dental clinics';
const ASKER_ANSWER = 'their auditors, for the year-end review';
const CLIENT_TEXT = 'Can we do a quick call Thursday? Our audit starts on the 15th.';
const DELIVERY_DETAIL = '30007: the carrier filtered the message';

function fillAdvisorDefaults(text: string): string {
  const vars: Record<string, string> = {
    advisor: 'PJ',
    phone: '858-461-8054',
    id: '42',
    reasons: 'human, cost',
    sender: '+1415***0101',
    channel: 'SMS',
    verdict: 'SOC 1 + SOC 2',
    product: PRODUCT_ANSWER,
    asker: ASKER_ANSWER,
    text: CLIENT_TEXT,
    by: 'PJ idle for 120 min',
    detail: DELIVERY_DETAIL,
    items: '#42 waiting (human, cost) +1415***0101; #43 with you (both) +1628***0199; #44 waiting (unclear) U01***7QZ',
  };
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole);
}

/** Every string in the flow, with its dotted field path. */
function walkTexts(value: unknown, path: string[] = []): Array<[string, string]> {
  if (typeof value === 'string') return [[path.join('.'), value]];
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, child]) => walkTexts(child, [...path, key]));
  }
  return [];
}

function expectCheapSms(text: string, maxSegments: number): void {
  expect(findNonGsmCharacters(text), text).toEqual([]);
  const count = countSegments(text);
  expect(count.encoding, text).toBe('GSM-7');
  expect(count.segments, `${count.units} units: ${text}`).toBeLessThanOrEqual(maxSegments);
}

describe('flows/main.yaml copy', () => {
  const { advisor: toAdvisor, ...toClient } = flow;
  const clientTexts = walkTexts(toClient);
  const advisorTexts = walkTexts(toAdvisor, ['advisor']);

  it('has the labels it is measured against', () => {
    expect(longestFinancial.length).toBeGreaterThan(0);
    expect(longestData.length).toBeGreaterThan(0);
    expect(longestFinance.length).toBeGreaterThan(0);
    expect(longestSecurity.length).toBeGreaterThan(0);
    // 14 single texts + 4 questions (17 texts with their choices) + 3 Slack Home texts + 14 verdict texts.
    expect(clientTexts).toHaveLength(48);
    expect(advisorTexts).toHaveLength(Object.keys(toAdvisor).length);
    expect(advisorTexts).toHaveLength(14);
    expect(clientTexts.length + advisorTexts.length).toBe(walkTexts(rawFlow).length);
  });

  it.each(clientTexts)('%s is GSM-7 and at most 3 segments once filled in', (_path, text) => {
    const filled = fillDefaults(text);
    expect(filled).not.toMatch(/\{\w+\}/);
    expectCheapSms(filled, MAX_SEGMENTS_PER_TEXT);
  });

  it.each(advisorTexts)('%s (to PJ) is GSM-7 and at most 2 segments once filled in', (_path, text) => {
    const filled = fillAdvisorDefaults(text);
    expect(filled).not.toMatch(/\{\w+\}/);
    expectCheapSms(filled, MAX_SEGMENTS_TO_ADVISOR);
  });

  const singleSays: Say[] = [
    { message: 'askProduct', greet: true },
    { message: 'askProduct', greet: false },
    { message: 'askAsker', greet: true },
    { message: 'askAsker', greet: false },
    { message: 'reaskProduct' },
    { message: 'reaskAsker' },
    ...(
      [
        'unclear',
        'handoffHuman',
        'handoffCost',
        'help',
        'optOutConfirm',
        'optInConfirm',
        'restart',
        'resumed',
        'afterVerdict',
        'ended',
        'holding',
      ] as const
    ).map((message) => ({ message })),
  ];

  it.each(singleSays.map((say) => [JSON.stringify(say), say] as const))(
    'renders %s as GSM-7 within 3 segments',
    (_name, say) => {
      const text = renderReply([say], flow, advisor);
      expect(text).not.toBeNull();
      expect(text).not.toMatch(/\{\w+\}/);
      expectCheapSms(text ?? '', MAX_SEGMENTS_PER_TEXT);
    },
  );

  it('renders help for Slack without the SMS keywords', () => {
    const text = renderReply([{ message: 'help' }], flow, advisor, 'slack') ?? '';
    expect(text).not.toMatch(/\{\w+\}/);
    expect(text).not.toContain('STOP');
    expectCheapSms(text, MAX_SEGMENTS_PER_TEXT);
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
    answers: { product: PRODUCT_ANSWER, asker: ASKER_ANSWER },
    verdict: 'both',
    flags: ['human', 'cost'],
    createdAt: '2026-11-26T10:00:00.000Z',
    updatedAt: '2026-11-26T10:05:00.000Z',
  };
  const notices: AdvisorNotice[] = [
    { kind: 'flagged', reasons: ['human', 'cost'] },
    { kind: 'reminder' },
    { kind: 'clientMessage', text: CLIENT_TEXT },
    { kind: 'optedOut' },
    { kind: 'tookOver', by: 'PJ (slack)' },
    { kind: 'released', by: 'PJ idle for 120 min' },
    { kind: 'closed', by: 'PJ (sms)' },
    { kind: 'deliveryProblem', problem: 'failed', text: CLIENT_TEXT, detail: DELIVERY_DETAIL },
    { kind: 'deliveryProblem', problem: 'unknown', text: CLIENT_TEXT, detail: 'the bot stopped mid-send' },
  ];

  it.each(notices.map((notice) => [JSON.stringify(notice), notice] as const))(
    'renders %s as GSM-7 within 2 segments',
    (_name, notice) => {
      const text = renderNotice(notice, record, flow, advisor);
      expect(text).not.toMatch(/\{\w+\}/);
      expect(text).toMatch(/^#42\b/);
      expect(text).not.toContain(record.participant);
      expectCheapSms(text, MAX_SEGMENTS_TO_ADVISOR);
    },
  );

  it('names the reasons, the masked sender, the channel, the answers and the verdict when flagging', () => {
    const text = renderNotice({ kind: 'flagged', reasons: ['both'] }, record, flow, advisor);
    expect(text).toContain('(both)');
    expect(text).toContain('+1415***0101 on SMS');
    expect(text).toContain(PRODUCT_ANSWER);
    expect(text).toContain(ASKER_ANSWER);
    expect(text).toContain('SOC 1 + SOC 2');
  });
});

const fin = (label: string): ProductFacts => ({ financial: label, data: null });
const dat = (label: string): ProductFacts => ({ financial: null, data: label });
const finAsker = (label: string): AskerFacts => ({ finance: label, security: null });
const secAsker = (label: string): AskerFacts => ({ finance: null, security: label });

/** For each reason, the longest facts that lead to it. */
const reasonInputs = {
  'soc1.product': [fin(longestFinancial), null],
  'soc1.productAndAsker': [fin(longestFinancial), finAsker(longestFinance)],
  'soc2.product': [dat(longestData), null],
  'soc2.productAndAsker': [dat(longestData), secAsker(longestSecurity)],
  'both.product': [{ financial: longestFinancial, data: longestData }, null],
  'both.financialProduct': [fin(longestFinancial), secAsker(longestSecurity)],
  'both.dataProduct': [dat(longestData), finAsker(longestFinance)],
} satisfies Record<ReasonKey, [ProductFacts, AskerFacts | null]>;

describe('rendered verdicts', () => {
  it('covers every reason the flow has words for', () => {
    expect(Object.keys(reasonInputs).sort()).toEqual(Object.keys(flow.verdict.reason).sort());
  });

  const cases = (Object.entries(reasonInputs) as Array<[ReasonKey, [ProductFacts, AskerFacts | null]]>).flatMap(
    ([reason, facts]) => [false, true].map((international) => [reason, international, facts] as const),
  );

  it.each(cases)('%s (international %s) is GSM-7 and at most 3 segments', (reason, international, [product, asker]) => {
    const advice = advise(product, asker);
    expect(advice?.reason).toBe(reason);
    if (advice === null) return;
    const text = renderReply([{ message: 'verdict', advice, international }], flow, advisor) ?? '';
    expect(text.startsWith(flow.verdict.headline[advice.verdict])).toBe(true);
    expect(text).toContain(advice.product);
    if (advice.asker !== null) expect(text).toContain(advice.asker);
    expect(text.includes(flow.verdict.international)).toBe(international);
    expect(text).toContain('858-461-8054');
    expect(text).not.toMatch(/\{\w+\}/);
    expectCheapSms(text, MAX_SEGMENTS_PER_TEXT);
  });
});

describe('the happy path', () => {
  const answered = (
    text: string,
    product: ProductFacts | null,
    asker: AskerFacts | null,
    international: boolean,
  ): ConversationEvent => ({ type: 'user.answered', text, product, asker, international });

  const products: Array<[string, ProductFacts]> = [
    ['financial', fin(longestFinancial)],
    ['data', dat(longestData)],
    ['financial and data', { financial: longestFinancial, data: longestData }],
  ];
  const askers: Array<[string, AskerFacts]> = [
    ['finance', finAsker(longestFinance)],
    ['security', secAsker(longestSecurity)],
    ['unknown', { finance: null, security: null }],
  ];
  const cases = products.flatMap(([p, product]) =>
    askers.flatMap(([a, asker]) => [false, true].map((intl) => [p, a, intl, product, asker] as const)),
  );

  it.each(cases)(
    '"hi" -> %s product -> %s asker (international %s) costs at most 6 segments',
    (_p, _a, international, product, asker) => {
      let [snapshot] = initialTransition(conversationMachine);
      const turns: ConversationEvent[] = [
        { type: 'user.greeted' },
        answered('what we do', product, null, international),
        answered('who asks', null, asker, false),
      ];
      const replies: string[] = [];
      for (const event of turns) {
        const [next, actions] = transition(conversationMachine, snapshot, event);
        snapshot = next;
        const says = actions.filter((a) => a.type === 'say').map((a) => a.params as Say);
        const reply = renderReply(says, flow, advisor);
        expect(reply, `no reply to ${event.type}`).not.toBeNull();
        replies.push(reply ?? '');
      }
      // A "both" verdict hands the conversation to PJ; any other one leaves it with the bot.
      const verdict = advise(product, asker)?.verdict;
      expect((snapshot as AnyMachineSnapshot).matches(verdict === 'both' ? 'waiting' : { bot: 'advised' })).toBe(true);
      expect(replies[2]?.startsWith('You need')).toBe(true);
      let total = 0;
      for (const reply of replies) {
        expectCheapSms(reply, MAX_SEGMENTS_PER_TEXT);
        total += countSegments(reply).segments;
      }
      expect(total, replies.join('\n')).toBeLessThanOrEqual(MAX_SEGMENTS_HAPPY_PATH);
    },
  );
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

  it.each([
    [['help']],
    [['verdict', 'handoff']],
    [['verdict', 'reason', 'soc1.product']],
  ])('rejects a curly quote, an em dash and an emoji in %j, naming the field', (path) => {
    const result = FlowSchema.safeParse(withText(path, 'It\u2019s fine \u2014 really \u{1F44D}'));
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.error.issues).toHaveLength(1);
    const [issue] = result.error.issues;
    expect(issue?.path).toEqual(path);
    expect(issue?.message).toContain('not GSM-7');
    expect(issue?.message).toContain('U+2019');
    expect(issue?.message).toContain('U+2014');
    expect(issue?.message).toContain('U+1F44D');
    // zod's own rendering names the field too (it brackets keys that contain a dot).
    expect(z.prettifyError(result.error)).toContain(`at ${path[0]}`);
  });

  it('rejects an unknown placeholder, naming it and the field', () => {
    const result = FlowSchema.safeParse(withText(['afterVerdict'], 'Text {advisr} at {phone}.'));
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.error.issues).toHaveLength(1);
    expect(result.error.issues[0]?.path).toEqual(['afterVerdict']);
    expect(result.error.issues[0]?.message).toContain('{advisr}');
  });

  it('accepts every known placeholder', () => {
    const result = FlowSchema.safeParse(withText(['help'], '{advisor} {phone} {product} {asker}'));
    expect(result.success).toBe(true);
  });

  it('lets only the texts to PJ name a conversation', () => {
    const names = ['advisor', 'phone', 'product', 'asker', 'id', 'reasons', 'sender', 'channel', 'verdict', 'text'];
    const all = [...names, 'by', 'detail', 'items'].map((name) => `{${name}}`).join(' ');
    expect(FlowSchema.safeParse(withText(['advisor', 'flagged'], all)).success).toBe(true);
    const result = FlowSchema.safeParse(withText(['holding'], 'Thanks, #{id} is with {advisor}.'));
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.error.issues).toHaveLength(1);
    expect(result.error.issues[0]?.path).toEqual(['holding']);
    expect(result.error.issues[0]?.message).toContain('{id}');
  });

  it('makes the flow loader name the file and the field path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flow-copy-'));
    try {
      writeFileSync(
        join(dir, 'main.yaml'),
        JSON.stringify(withText(['verdict', 'reason', 'both.product'], 'Both \u2014 sorry \u{1F600}')),
      );
      writeFileSync(join(dir, 'lexicon.yaml'), readFileSync(new URL('../../flows/lexicon.yaml', import.meta.url)));
      expect(() => loadFlows(dir)).toThrow(
        /main\.yaml[\s\S]*verdict\.reason\.both\.product: not GSM-7: U\+2014, U\+1F600/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
