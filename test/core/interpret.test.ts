import { describe, expect, it } from 'vitest';
import { advise } from '../../src/core/advise.js';
import { interpret } from '../../src/core/interpret.js';
import type { Lexicon } from '../../src/core/lexicon.js';
import type { Awaiting } from '../../src/core/reading.js';
import { freeTextCases, unclearAnswers } from '../fixtures/free-text-cases.js';
import { loadTestLexicon } from '../support/load-lexicon.js';

const lexicon: Lexicon = loadTestLexicon();
const read = (text: string, awaiting: Awaiting | null = null) => interpret(text, lexicon, awaiting);
const intentOf = (text: string) => read(text).intent;
const productOf = (text: string, awaiting: Awaiting | null = 'product') => read(text, awaiting).product;
const askerOf = (text: string, awaiting: Awaiting | null = 'asker') => read(text, awaiting).asker;

function* strings(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* strings(item);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      yield key;
      yield* strings(item);
    }
  }
}

describe('the lexicon', () => {
  it('is plain printable ASCII throughout (GSM-7 safe labels)', () => {
    const offending = [...strings(lexicon)].filter((s) => !/^[\x20-\x7e]*$/.test(s));
    expect(offending).toEqual([]);
  });

  it('has the carrier keywords exactly', () => {
    expect(lexicon.intents.optOutKeywords).toEqual(['stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit', 'revoke', 'optout']);
    expect(lexicon.intents.optInKeywords).toEqual(['start', 'unstop', 'yes']);
    expect(lexicon.intents.helpKeywords).toEqual(['help', 'info']);
  });
});

describe('intents', () => {
  it.each(lexicon.intents.optOutKeywords)('reads the keyword %s as optOutKeyword, in any case and padding', (word) => {
    expect(intentOf(word)).toBe('optOutKeyword');
    expect(intentOf(`  ${word.toUpperCase()}  `)).toBe('optOutKeyword');
  });

  it.each(lexicon.intents.optInKeywords)('reads the keyword %s as optInKeyword', (word) => {
    expect(intentOf(word)).toBe('optInKeyword');
    expect(intentOf(` ${word[0]?.toUpperCase()}${word.slice(1)}\n`)).toBe('optInKeyword');
  });

  it.each(lexicon.intents.helpKeywords)('reads the keyword %s as helpKeyword', (word) => {
    expect(intentOf(word.toUpperCase())).toBe('helpKeyword');
  });

  it('treats "Stop" with surrounding spaces as the keyword but "stop please" as an opt-out phrase', () => {
    expect(intentOf('   Stop ')).toBe('optOutKeyword');
    expect(intentOf('stop please')).toBe('optOut');
    expect(intentOf('STOP!')).toBe('optOut');
    expect(intentOf('help?')).toBe('help');
  });

  it.each([
    ['optOut', ["don't text me", 'Dont text me again', 'stop texting me', 'please stop messaging me', 'leave me alone',
      'remove me from your list', 'take me off this', 'unsubscribe me', 'opt me out', 'no more texts', 'do not contact me']],
    ['restart', ['start over', 'can we begin again', "let's begin again", 'restart', 'reset', 'from the top', 'start again', 'new question']],
    ['human', ['human', 'can I talk to a real person', 'a person please', 'speak with someone', 'talk to someone', 'talk to PJ',
      'call me', 'representative', 'an agent please', 'live agent']],
    ['cost', ['how much?', "what's the price", 'pricing', 'what does it cost', 'what will this set me back', 'can I get a quote',
      'we have a small budget', 'what are your fees', 'is it expensive', 'what would it run me']],
    ['help', ['what is this', 'who is this?', 'what are you', 'what do you do', 'how does this work']],
    ['greeting', ['hi', 'Hello!', 'hey', 'hiya', 'Good morning', 'yo', 'howdy', 'hi there', 'hey, hello!', '  Hi PJ :) ']],
  ] as const)('reads %s phrases', (intent, texts) => {
    for (const text of texts) expect(intentOf(text), text).toBe(intent);
  });

  it('does not read a business description as a request for a person or a price', () => {
    expect(intentOf('we are an insurance agent platform')).toBe('answer');
    expect(intentOf('we process tuition fees for schools')).toBe('answer');
  });

  it('reads a greeting followed by anything else as an answer', () => {
    const reading = read('Hi, we do payroll', 'product');
    expect(reading.intent).toBe('answer');
    expect(reading.product).toEqual({ financial: 'payroll', data: null });
  });

  it('ranks optOut > restart > human > cost > help > greeting', () => {
    expect(intentOf('start over? no, stop texting me')).toBe('optOut');
    expect(intentOf('restart, I want a real person')).toBe('restart');
    expect(intentOf('how much? talk to someone')).toBe('human');
    expect(intentOf('who is this and how much does it cost')).toBe('cost');
    expect(intentOf('hi, who is this')).toBe('help');
  });

  it('still reads the facts whatever the intent', () => {
    const reading = read('how much would a SOC report cost for our payroll company? our CFO wants one');
    expect(reading.intent).toBe('cost');
    expect(reading.product).toEqual({ financial: 'payroll', data: null });
    expect(reading.asker).toEqual({ finance: 'their CFO', security: null });
  });

  it('ignores intent words inside a business term', () => {
    expect(intentOf('human capital management software')).toBe('answer');
    expect(intentOf('we do cost accounting for manufacturers')).toBe('answer');
    expect(intentOf('quote to cash for B2B sellers')).toBe('answer');
  });

  it('reads a plain answer as answer', () => {
    expect(intentOf('we run payroll')).toBe('answer');
    expect(intentOf('banana')).toBe('answer');
    expect(intentOf('')).toBe('answer');
  });
});

describe('numbered choices', () => {
  it.each(['1', '1.', '#1', 'option 1', '1)', ' (1) '])('reads %j as product choice 1 when asked for the product', (text) => {
    expect(productOf(text, 'product')).toEqual({ financial: null, data: 'customer data' });
  });

  it('maps each product choice', () => {
    expect(productOf('2', 'product')).toEqual({ financial: 'payments or payroll', data: null });
    expect(productOf('3', 'product')).toEqual({ financial: 'payments or payroll', data: 'customer data' });
  });

  it('maps each asker choice, 3 being an unknown asker', () => {
    expect(askerOf('1', 'asker')).toEqual({ finance: null, security: 'their security team' });
    expect(askerOf('2.', 'asker')).toEqual({ finance: 'their finance team', security: null });
    expect(askerOf('option 3', 'asker')).toEqual({ finance: null, security: null });
  });

  it('reads a number only against the question being asked', () => {
    expect(read('2', 'product').asker).toBeNull();
    expect(read('2', 'asker').product).toBeNull();
    expect(read('2', null)).toMatchObject({ product: null, asker: null });
    expect(productOf('4', 'product')).toBeNull();
    expect(productOf('we have 2 products', 'product')).toBeNull();
  });
});

describe('negation', () => {
  it('drops a term negated earlier in its clause', () => {
    expect(productOf("we don't touch billing")).toBeNull();
    expect(productOf('we do not process payments or payroll')).toBeNull();
    expect(productOf("We don't touch billing, we host their websites")).toEqual({ financial: null, data: 'hosting' });
    expect(productOf('we do payroll, no PHI')).toEqual({ financial: 'payroll', data: null });
    expect(productOf('we run payroll without storing any PHI')).toEqual({ financial: 'payroll', data: null });
  });

  it('stops at clause boundaries and contrast words', () => {
    expect(productOf("we don't do billing but we do payroll")).toEqual({ financial: 'payroll', data: null });
    expect(productOf('no, we do payroll')).toEqual({ financial: 'payroll', data: null });
    expect(productOf("we don't do billing; payments though")).toEqual({ financial: 'payments', data: null });
  });

  it('reaches only 4 words back', () => {
    expect(productOf('we do not, in any way, touch billing')).toEqual({ financial: 'billing', data: null });
    expect(productOf('we never really ever touch any billing')).toEqual({ financial: 'billing', data: null });
    expect(productOf('we never really touch any billing')).toBeNull();
  });

  it('ignores a negation that is part of a phrase', () => {
    expect(askerOf('not sure')).toEqual({ finance: null, security: null });
    expect(askerOf('no idea maybe their CFO')).toEqual({ finance: 'their CFO', security: null });
    expect(productOf("we're not just payroll, we also host their data")).toEqual({ financial: 'payroll', data: 'hosting' });
  });

  it('negates the asker and selling abroad too', () => {
    expect(askerOf("it's not the CFO, it's their security team")).toEqual({ finance: null, security: 'their security team' });
    expect(read('we sell in the EU').international).toBe(true);
    expect(read("we don't sell abroad").international).toBe(false);
  });
});

describe('the SOC / SOX mix-up', () => {
  it('reads "our SOX report" as a SOC report that names no asker', () => {
    expect(askerOf('they want our SOX report')).toBeNull();
    expect(askerOf('a prospect wants our SOX report')).toEqual({ finance: null, security: null });
    expect(read('we do payroll and they want our SOX report', 'product').asker).toBeNull();
  });

  it('reads a SOX team or SOX compliance as the finance side', () => {
    expect(askerOf('their SOX team')).toEqual({ finance: 'their SOX team', security: null });
    expect(askerOf('they need it for SOX compliance', 'product')).toEqual({ finance: 'their SOX team', security: null });
    expect(askerOf('for sox')).toEqual({ finance: 'their SOX team', security: null });
  });

  it('reads "soc 1" / "sox 1" as finance and "soc 2" / "sox 2" as security when answering who asks', () => {
    expect(askerOf('they asked for a soc 1')).toEqual({ finance: 'a SOC 1 request', security: null });
    expect(askerOf('SOC1 type 2')).toEqual({ finance: 'a SOC 1 request', security: null });
    expect(askerOf('they want a sox 1')).toEqual({ finance: 'a SOC 1 request', security: null });
    expect(askerOf('a soc 2 questionnaire')).toEqual({ finance: null, security: 'a SOC 2 request' });
    expect(askerOf('sox2')).toEqual({ finance: null, security: 'a SOC 2 request' });
    expect(askerOf('SOC 2 audit')).toEqual({ finance: null, security: 'a SOC 2 request' });
  });

  it('decides nothing on a bare SOC report, a Type 2, or "soc 1 or soc 2"', () => {
    expect(askerOf('they want a SOC report')).toBeNull();
    expect(askerOf('a type 2 report')).toBeNull();
    expect(askerOf('not sure if they want a soc 1 or soc 2')).toEqual({ finance: null, security: null });
    expect(read('do we need soc 1 or soc 2? we are a SaaS', 'product')).toMatchObject({
      product: { financial: null, data: 'SaaS' },
      asker: null,
    });
  });
});

describe('vocabulary', () => {
  it.each([
    ['payrol', 'payroll'], ['biling', 'billing'], ['we are a PEO', 'payroll'], ['HCM suite', 'payroll'],
    ['A/R for clinics', 'accounts receivable'], ['AP automation', 'accounts payable'], ['PSP', 'payments'],
    ['we are a TPA', 'claims'], ['WMS for 3PLs', 'inventory'], ['ERP', 'ERP'], ['we keep the GL', 'bookkeeping'],
    ['we administer 401(k) plans', 'fund administration'], ['sales tax filing', 'tax'], ['comissions', 'commissions'],
    ['we cut the checks for our clients\u2019 contractors', 'payroll'],
    ['we move money between our customers and their vendors', 'payments'],
    ['loan servicing', 'loan servicing'], ['fund admin', 'fund administration'], ['month-end close', 'bookkeeping'],
  ])('reads %j as the financial product %j', (text, label) => {
    expect(productOf(text)?.financial).toBe(label);
  });

  it.each([
    ['EHR vendor', 'patient data'], ['EMR', 'patient data'], ['we handle PHI', 'patient data'],
    ['we keep their patient records', 'patient data'], ['PII', 'customer data'], ['we are an MSP', 'managed IT'],
    ['IaaS', 'hosting'], ['PaaS', 'hosting'], ['we host their websites', 'hosting'], ['a SaaS tool', 'SaaS'],
    ['sass app', 'SaaS'], ['cardholder data', 'card data'], ['bank account numbers', 'bank data'],
    ['HRIS', 'employee data'], ['cloud storage', 'cloud'],
  ])('reads %j as the data product %j', (text, label) => {
    expect(productOf(text)?.data).toBe(label);
  });

  it.each([
    ['CFO', { finance: 'their CFO', security: null }],
    ['the controler', { finance: 'their controller', security: null }],
    ['their auditers', { finance: 'their auditors', security: null }],
    ['internal audit', { finance: 'internal audit', security: null }],
    ['for their year-end audit', { finance: 'their year-end audit', security: null }],
    ['secuirty', { finance: null, security: 'their security team' }],
    ['procurment', { finance: null, security: 'procurement' }],
    ['IT', { finance: null, security: 'their IT team' }],
    ['vendor risk management', { finance: null, security: 'their vendor risk team' }],
    ['they sent a security questionnaire', { finance: null, security: 'a security questionnaire' }],
    ['a security audit', { finance: null, security: 'their security team' }],
    ['the CFO and their infosec team', { finance: 'their CFO', security: 'their security team' }],
    ['idk', { finance: null, security: null }],
    ['a customer', { finance: null, security: null }],
    ['an enterprise deal', { finance: null, security: null }],
    ['investors', { finance: null, security: null }],
    ['the board', { finance: null, security: null }],
  ])('reads the asker %j', (text, asker) => {
    expect(askerOf(text)).toEqual(asker);
  });

  it('keeps the pronoun "it" apart from the IT department', () => {
    expect(askerOf('they need it for their audit')).toEqual({ finance: 'their year-end audit', security: null });
    expect(askerOf('it was a customer')).toEqual({ finance: null, security: null });
    expect(askerOf('IT wants it')).toEqual({ finance: null, security: 'their IT team' });
  });

  it('reads selling abroad', () => {
    for (const text of ['we sell internationally', 'mostly EU customers', 'GDPR', 'do we need ISO 27001?', 'EMEA and APAC']) {
      expect(read(text).international, text).toBe(true);
    }
    expect(read('we sell in Ohio').international).toBe(false);
  });

  it('takes the first financial and first data label in text order', () => {
    expect(productOf('billing and payroll, on a SaaS with card data')).toEqual({ financial: 'billing', data: 'SaaS' });
  });
});

describe('when: answer scoping', () => {
  it('counts bare asker words only in reply to "who is asking"', () => {
    for (const text of ['security', 'IT', 'finance', 'audit', 'compliance']) {
      expect(askerOf(text, 'asker'), text).not.toBeNull();
      expect(askerOf(text, 'product'), text).toBeNull();
      expect(askerOf(text, null), text).toBeNull();
    }
  });

  it('counts bare unknown askers only in reply to "who is asking"', () => {
    for (const text of ['customer', 'a client', 'prospect', 'not sure', 'idk', 'legal']) {
      expect(askerOf(text, 'asker'), text).toEqual({ finance: null, security: null });
      expect(askerOf(text, 'product'), text).toBeNull();
    }
  });

  it('counts bare "data" only in reply to "what does your product do"', () => {
    expect(productOf('data', 'product')).toEqual({ financial: null, data: 'customer data' });
    expect(productOf('data', 'asker')).toBeNull();
  });

  it('counts specific askers in any message', () => {
    expect(read('we run AR collections for hospitals and their CFO wants a SOC report', 'product')).toMatchObject({
      product: { financial: 'accounts receivable', data: null },
      asker: { finance: 'their CFO', security: null },
    });
    expect(askerOf('their security team sent a questionnaire', null)).toEqual({ finance: null, security: 'their security team' });
  });
});

describe('free-text answers', () => {
  it('has enough realistic cases', () => {
    expect(freeTextCases.length).toBeGreaterThanOrEqual(45);
    expect(unclearAnswers.length).toBeGreaterThanOrEqual(10);
  });

  it.each(freeTextCases)('$product / $asker -> $verdict', ({ product, asker, verdict }) => {
    const productReading = read(product, 'product');
    expect(productReading.intent).toBe('answer');
    expect(productReading.product).not.toBeNull();
    const askerReading = asker === null ? null : read(asker, 'asker');
    if (askerReading !== null) {
      expect(askerReading.intent).toBe('answer');
      expect(askerReading.asker).not.toBeNull();
    }
    const askerFacts = askerReading === null ? productReading.asker : askerReading.asker;
    expect(advise(productReading.product ?? { financial: null, data: null }, askerFacts)?.verdict).toBe(verdict);
  });

  it.each(unclearAnswers)('reads %j as no product', (text) => {
    expect(productOf(text)).toBeNull();
  });
});

describe('performance', () => {
  it('reads a long message quickly once the lexicon is compiled', () => {
    const text = 'we run payroll and billing for clinics and store their patient records, '.repeat(40);
    read(text, 'product');
    const started = performance.now();
    for (let i = 0; i < 50; i += 1) read(text, 'product');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
