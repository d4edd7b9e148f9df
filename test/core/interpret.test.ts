import { describe, expect, it } from 'vitest';
import { advise } from '../../src/core/advise.js';
import { interpret } from '../../src/core/interpret.js';
import type { Awaiting, ProductFacts } from '../../src/core/reading.js';
import { isGsm7 } from '../../src/core/sms-segments.js';
import { correctTypo, editDistance, foldText, singular, typoAllowance } from '../../src/core/text-tokens.js';
import { optOutNegatives, optOutPositives } from '../fixtures/opt-out-cases.js';
import { shippedFlows } from '../support/flows.js';

const { flow, lexicon } = shippedFlows();
const read = (text: string, awaiting: Awaiting | null = null) => interpret(text, lexicon, awaiting);
const intentOf = (text: string, awaiting: Awaiting | null = null) => read(text, awaiting).intent;
const productOf = (text: string, awaiting: Awaiting | null = 'product') => read(text, awaiting).product;
const askerOf = (text: string, awaiting: Awaiting | null = 'asker') => read(text, awaiting).asker;
const AWAITING: Array<Awaiting | null> = [null, 'product', 'asker'];
/** The verdict flows/main.yaml's copy is sized for: quotes of the client's words stay within this. */
const QUOTE_BUDGET = 36;

/** What a product means for the advice when nobody in particular is asking. */
function verdictOf(product: ProductFacts | null): string {
  const outcome = advise({
    product,
    productAnswered: true,
    asker: { finance: null, security: null },
    request: null,
    buyer: false,
    quotes: { product: null, asker: null, request: null },
  });
  return outcome.kind === 'advice' ? outcome.advice.verdict : outcome.kind;
}

function* strings(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* strings(item);
  else if (typeof value === 'object' && value !== null && !(value instanceof Set)) {
    for (const [key, item] of Object.entries(value)) {
      yield key;
      yield* strings(item);
    }
  }
}

describe('the lexicon', () => {
  it('is plain printable ASCII throughout (its labels are quoted back by SMS)', () => {
    const offending = [...strings(lexicon)].filter((s) => !/^[\x20-\x7e]*$/.test(s));
    expect(offending).toEqual([]);
  });

  it("has Twilio's carrier keywords exactly", () => {
    expect(lexicon.intents.optOutKeywords).toEqual([
      'stop',
      'stopall',
      'unsubscribe',
      'cancel',
      'end',
      'quit',
      'revoke',
      'optout',
    ]);
    expect(lexicon.intents.optInKeywords).toEqual(['start', 'unstop', 'yes']);
    expect(lexicon.intents.helpKeywords).toEqual(['help', 'info']);
  });
});

describe('carrier keywords', () => {
  it.each(lexicon.intents.optOutKeywords)('reads %s alone as optOutKeyword, in any case and padding', (word) => {
    expect(intentOf(word)).toBe('optOutKeyword');
    expect(intentOf(`  ${word.toUpperCase()}  `)).toBe('optOutKeyword');
  });

  it.each(lexicon.intents.optInKeywords)('reads %s alone as optInKeyword, whatever was asked', (word) => {
    // The machine, not the reader, decides that "yes" from someone who never opted out is an answer.
    for (const awaiting of AWAITING)
      expect(intentOf(` ${word[0]?.toUpperCase()}${word.slice(1)}\n`, awaiting)).toBe('optInKeyword');
  });

  it.each(lexicon.intents.helpKeywords)('reads %s alone as helpKeyword', (word) => {
    expect(intentOf(word.toUpperCase())).toBe('helpKeyword');
  });

  it('reads a keyword with punctuation as meant, but not as the exact carrier keyword', () => {
    expect(intentOf('STOP!')).toBe('optOut');
    expect(intentOf('help?')).toBe('help');
  });
});

describe('opt-out precision (a false opt-out loses a client for good)', () => {
  it('is proven on enough cases both ways', () => {
    expect(optOutNegatives.length).toBeGreaterThanOrEqual(40);
    expect(optOutPositives.length).toBeGreaterThanOrEqual(20);
  });

  it.each(optOutPositives)('opts out on %j, whatever was asked', (text) => {
    for (const awaiting of AWAITING)
      expect(['optOut', 'optOutKeyword'], String(awaiting)).toContain(intentOf(text, awaiting));
  });

  it.each(optOutNegatives)('does not opt out on %j, whatever was asked', (text) => {
    for (const awaiting of AWAITING)
      expect(['optOut', 'optOutKeyword'], String(awaiting)).not.toContain(intentOf(text, awaiting));
  });

  it.each(['stpo', 'STPO!', 'unsubscibe', 'stop textng me', 'plese stop txting me'])(
    'never guesses an opt-out from a typo: %j',
    (text) => {
      expect(['optOut', 'optOutKeyword']).not.toContain(intentOf(text));
    },
  );
});

describe('other intents', () => {
  it.each([
    ['restart', ['start over', 'can we begin again', 'restart', 'from the top']],
    ['human', ['can I talk to a real person', 'speak with someone', 'talk to PJ', 'call me']],
    ['cost', ['how much?', "what's the price", 'what does it cost?', 'can I get a quote']],
    ['help', ['what is this', 'who is this?', 'how does this work']],
    ['greeting', ['hi', 'Hello!', 'Good morning', 'hi there', '  Hi PJ :) ']],
    ['acknowledgement', ['thanks', 'ok thanks', 'Thank you!', 'got it', '\u{1F44D}']],
  ] as const)('reads %s phrases', (intent, texts) => {
    for (const text of texts) expect(intentOf(text), text).toBe(intent);
  });

  it.each([
    'human capital management software',
    'we do cost accounting for manufacturers',
    'we are an insurance agent platform',
  ])('reads the business description %j as an answer, not a request', (text) => {
    expect(intentOf(text, 'product')).toBe('answer');
  });

  it('reads a greeting followed by an answer as the answer', () => {
    const reading = read('Hi, we do payroll', 'product');
    expect(reading.intent).toBe('answer');
    expect(reading.product?.financial).not.toBeNull();
  });

  it('reads a common question as an answer to look into, even after "hi"', () => {
    const reading = read("hey, what's a SOC 3?");
    expect(reading.intent).toBe('answer');
    expect(reading.topics).toEqual(['soc3']);
  });
});

describe('typo tolerance', () => {
  it('allows no typo under 5 letters, one from 5 and two from 8', () => {
    expect([3, 4, 5, 7, 8, 12].map(typoAllowance)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(editDistance('payroll', 'pyaroll', 2)).toBe(1);
    expect(editDistance('bookkeeping', 'bokkeping', 2)).toBe(2);
  });

  it('corrects within the allowance, against the vocabulary only', () => {
    const vocabulary = new Set(['bookkeeping', 'payroll', 'loan']);
    expect(correctTypo('pyroll', vocabulary, undefined)).toBe('payroll');
    expect(correctTypo('peyrolt', vocabulary, undefined)).toBe('peyrolt');
    expect(correctTypo('laon', vocabulary, undefined)).toBe('laon');
    expect(correctTypo('bokkeping', new Set(['bookkeeping']), undefined)).toBe('bookkeeping');
  });

  it('measures each candidate within its own allowance (a short word never matches a long typo)', () => {
    // Bug in correctTypo: for a written word of 8+ letters, editDistance(word, known, 1) reports
    // "more than 1" as 2, which passes the written word's allowance of 2.
    expect(correctTypo('zzzzzzzzz', new Set(['payroll']), undefined)).toBe('zzzzzzzzz');
    expect(correctTypo('bokkeping', new Set(['bookkeeping', 'payroll']), undefined)).toBe('bookkeeping');
  });

  it.each([
    ['pyroll', 'payroll'],
    ['escow', 'payments'],
    ['tresury', 'treasury'],
    ['invocing', 'billing'],
    ['disbursments', 'payments'],
  ])('reads %j (one edit) as the financial product %j', (text, label) => {
    expect(productOf(text)?.financial).toBe(label);
  });

  it.each([
    ['bokkeping', 'bookkeeping'],
    ['reconsilation', 'bookkeeping'],
  ])('reads %j (two edits, 8+ letters) as the financial product %j', (text, label) => {
    expect(productOf(text)?.financial).toBe(label);
  });

  it.each([
    ['payoll', 'payroll'],
    ['bookkeping', 'bookkeeping'],
  ])('reads %j (one edit) as %j even where the lexicon also lists a misspelling of it', (text, label) => {
    expect(productOf(text)?.financial).toBe(label);
  });

  it('reads "procuremnt" and "controllr" (one edit) as the askers they are', () => {
    expect(askerOf('procuremnt')?.security).toBe('procurement');
    expect(askerOf('controllr')?.finance).toBe('their controller');
  });

  it('does not stretch two edits onto a word of 5 to 7 letters, nor any onto a short word', () => {
    expect(productOf('peyrolt')).toBeNull();
    expect(productOf('laon')).toBeNull();
    expect(productOf('crn')).toBeNull();
  });

  it.each([
    ['willing', 'billing', 'product'],
    ['filling', 'billing', 'product'],
    ['pavements', 'payments', 'product'],
    ['audio', 'audit', 'asker'],
  ] as const)('never reads the ordinary word %j as %j', (word, near, awaiting) => {
    expect(lexicon.ordinaryWords?.has(word)).toBe(true);
    expect(editDistance(word, near, 2)).toBeLessThanOrEqual(typoAllowance(word.length));
    expect(read(word, awaiting)).toMatchObject({ product: null, asker: null });
  });
});

describe('plurals', () => {
  it.each([
    ['auditors', 'auditor'],
    ['companies', 'company'],
    ['businesses', 'business'],
    ['batches', 'batch'],
    ['boss', 'boss'],
    ['status', 'status'],
    ['analysis', 'analysis'],
    ['1099s', '1099s'],
  ])('folds %j to %j', (word, expected) => {
    expect(singular(word)).toBe(expected);
  });

  it('reads the plural of every one-word product term as the term itself', () => {
    const kinds = ['financial', 'sensitive', 'technology', 'generic'] as const;
    const words = kinds
      .flatMap((kind) => lexicon.product[kind].flatMap((term) => term.match))
      .filter((m) => /^[a-z]{4,}[b-df-hj-np-rtvw]$/.test(m));
    expect(words.length).toBeGreaterThan(50);
    const differing = words.filter((word) => JSON.stringify(productOf(`${word}s`)) !== JSON.stringify(productOf(word)));
    expect(differing).toEqual([]);
  });

  it('reads plurals in sentences', () => {
    expect(productOf('we build CRMs for dentists')?.technology).toBe('CRM');
    expect(productOf('we keep general ledgers for nonprofits')?.financial).toBe('bookkeeping');
    expect(askerOf('their external auditors', null)?.finance).not.toBeNull();
  });
});

describe('common questions', () => {
  // Each topic asked as a question, and the same words in a plain answer.
  const cases: Array<[string, string, string]> = [
    ['types', "what's the difference between type 1 and type 2?", 'they said type 1 and type 2 are both fine'],
    ['soc3', 'what is a SOC 3?', 'we already have a SOC 3 report'],
    ['iso', 'do we need ISO 27001 instead?', 'we got our ISO certification last year'],
    ['hipaa', 'is SOC 2 enough for HIPAA?', 'we passed a HIPAA audit last year'],
    ['timeline', 'how long does it take', 'the timeline is tight'],
    ['bridge', 'what is a bridge letter?', 'we already sent them a bridge letter'],
    ['auditor', 'who performs the audit?', 'we still need to pick an auditor'],
    ['sox', "what's the difference between SOX and SOC?", 'sarbanes oxley applies to them'],
    ['first', 'what should we do first?', 'first step is done'],
  ];

  it('covers every topic that has an answer in flows/main.yaml', () => {
    for (const [topic] of cases) expect(flow.answers[topic], topic).toBeDefined();
  });

  it.each(cases)('detects %s in a question', (topic, question) => {
    for (const awaiting of AWAITING) expect(read(question, awaiting).topics, String(awaiting)).toContain(topic);
  });

  it.each(cases)('does not detect %s in a plain answer', (_topic, _question, statement) => {
    for (const awaiting of AWAITING) expect(read(statement, awaiting).topics, String(awaiting)).toEqual([]);
  });
});

describe('named reports', () => {
  it.each([
    ['they want a SOC 1 Type 2', { report: 'soc1', type: 2 }],
    ['the auditors want SOC 1, type II', { report: 'soc1', type: 2 }],
    ['they asked for our SOC 2 report', { report: 'soc2', type: null }],
    ['type 2 only', { report: null, type: 2 }],
    ['they need SOC 1 and SOC 2', { report: 'both', type: null }],
  ])('reads %j as a request', (text, request) => {
    expect(read(text).request).toEqual(request);
  });

  it.each([
    'do we need a SOC 1?',
    'is SOC 2 enough?',
    'SOC 1 or SOC 2?',
    'is soc 2 enough',
    'not sure if they want soc 1 or soc 2',
  ])('names nothing in %j', (text) => {
    expect(read(text).request).toBeNull();
  });
});

describe('markers', () => {
  it.each([
    'I manage vendors at a bank, which report should we request from our payroll vendor?',
    'we are evaluating a new payroll provider',
    "I'm an auditor, what should I ask the client's vendor for?",
  ])('reads the buying side in %j', (text) => {
    expect(read(text).buyer).toBe(true);
  });

  it.each([
    'we are a vendor to banks',
    'our customers are banks',
    "we're a SaaS startup, should we get a SOC 2?",
    'should we get soc 1 or soc 2?',
  ])('reads a vendor, not a buyer, in %j', (text) => {
    expect(read(text).buyer).toBe(false);
  });

  it('reads a correction, and the asker named after it', () => {
    expect(read('no wait, it came from the controller', 'asker')).toMatchObject({
      correction: true,
      asker: { finance: 'their controller', security: null },
    });
    expect(read('actually it is their security team', 'asker')).toMatchObject({
      correction: true,
      asker: { finance: null },
    });
    expect(read('their CFO... actually no, it is the IT guy', 'asker')).toMatchObject({
      correction: true,
      asker: { finance: null },
    });
    expect(read('their controller', 'asker').correction).toBe(false);
  });

  it('reads selling abroad, unless negated', () => {
    for (const text of ['we sell internationally', 'mostly EU customers', 'GDPR', 'EMEA and APAC'])
      expect(read(text).international, text).toBe(true);
    expect(read('we sell in Ohio').international).toBe(false);
    expect(read("we don't sell abroad").international).toBe(false);
  });
});

describe("the text's language", () => {
  it('counts unknown words as saying something in a text written in another language', () => {
    expect(interpret('zxqv blorp', lexicon, 'product', null, { writtenIn: 'es' }).content).toBe(true);
    expect(interpret('zxqv blorp', lexicon, 'product', null, { writtenIn: 'en' }).content).toBe(false);
    expect(interpret('zxqv blorp', lexicon, 'product', null, { writtenIn: null }).content).toBe(false);
  });

  it('asks a detector given as a function only when a word needs it, once, and reads the same', () => {
    for (const [text, asked] of [
      ['zxqv blorp', 1],
      ['we sell payroll software', 0],
    ] as const) {
      let calls = 0;
      const lazy = interpret(text, lexicon, 'product', null, {
        writtenIn: () => {
          calls += 1;
          return 'es';
        },
      });
      expect(lazy, text).toEqual(interpret(text, lexicon, 'product', null, { writtenIn: 'es' }));
      expect(calls, text).toBe(asked);
    }
  });
});

describe('the answers the bot offers', () => {
  const offered = flow.reaskProduct.choices;

  it('offers words for each numbered product choice', () => {
    expect(offered.length).toBe(Object.keys(lexicon.choices.product).length);
  });

  it.each(offered.map((word, i) => [word, String(i + 1)] as const))(
    'understands %j as choice %s in reply to the product question',
    (word, digit) => {
      const byWord = productOf(word, 'product');
      const byNumber = productOf(digit, 'product');
      expect(byWord, word).not.toBeNull();
      expect(verdictOf(byWord)).toBe(verdictOf(byNumber));
    },
  );

  it('maps every numbered choice to the facts lexicon.yaml gives it, and only for its own question', () => {
    for (const [digit, facts] of Object.entries(lexicon.choices.product)) {
      expect(productOf(`option ${digit}`, 'product')).toEqual(facts);
      expect(read(digit, 'asker').product).toBeNull();
    }
    for (const [digit, facts] of Object.entries(lexicon.choices.asker)) {
      expect(askerOf(`${digit}.`, 'asker')).toEqual(facts);
      expect(read(digit, 'product').asker).toBeNull();
    }
    expect(productOf('we have 2 products', 'product')).toBeNull();
  });
});

describe('askers', () => {
  it.each([
    'their CFO',
    'the controller',
    'their external auditors',
    'internal audit',
    'their SOX team',
    'their bookkeeper',
  ])('reads %j as the finance side', (text) => {
    expect(askerOf(text)).toMatchObject({ security: null, finance: expect.any(String) });
  });

  it.each(['their infosec team', 'procurement', 'IT', 'vendor risk management', 'a security questionnaire'])(
    'reads %j as the security side',
    (text) => {
      expect(askerOf(text)).toMatchObject({ finance: null, security: expect.any(String) });
    },
  );

  it.each([
    'the owner',
    'our founder',
    'legal',
    'the board',
    'an investor',
    'their insurer',
    'a bank examiner',
    'not sure',
    'a customer',
  ])('reads %j as an asker who decides nothing', (text) => {
    expect(askerOf(text)).toEqual({ finance: null, security: null });
  });

  it('reads bare department words as askers only in reply to "who is asking"', () => {
    for (const text of ['security', 'finance', 'compliance']) {
      expect(askerOf(text, 'asker'), text).not.toBeNull();
      expect(askerOf(text, 'product'), text).toBeNull();
    }
  });

  it('keeps the pronoun "it" apart from the IT department', () => {
    expect(askerOf('it was a customer')).toEqual({ finance: null, security: null });
    expect(askerOf('IT wants it')?.security).not.toBeNull();
  });
});

describe('negation', () => {
  it('drops a product negated earlier in its clause, and only there', () => {
    expect(productOf("we don't touch billing")).toBeNull();
    expect(productOf("we don't do billing but we do payroll")?.financial).toBe('payroll');
    expect(productOf('we do payroll, no PHI')).toMatchObject({ financial: 'payroll', sensitive: null });
  });
});

describe("quotes of the client's words", () => {
  /** The written words as a quote may show them: folded, and only the characters a quote keeps. */
  const writtenWords = (text: string): string[] =>
    foldText(text)
      .split(/\s+/)
      .map((w) => w.replace(/[^a-z0-9&/+%$#@()\-.:]/g, ''))
      .filter((w) => w !== '');
  const isRunOf = (quote: string, text: string): boolean => writtenWords(text).join(' ').includes(quote);

  it.each([
    'We run payroll and benefits administration for about three hundred dental clinics across Ohio',
    'we run month-end close for startups',
    'A/R for clinics',
    'We do \u201cpayroll\u201d for caf\u00e9s in Montr\u00e9al \u{1F600}',
    'their year-end audit team at a big credit union asked',
  ])('quotes %j as a short run of the words as written', (text) => {
    for (const awaiting of ['product', 'asker'] as const) {
      const reading = read(text, awaiting);
      for (const quote of [reading.productQuote, reading.askerQuote, reading.textQuote]) {
        if (quote === null) continue;
        expect(quote.length, quote).toBeLessThanOrEqual(QUOTE_BUDGET);
        expect(isGsm7(quote), quote).toBe(true);
        expect(isRunOf(quote, text), `${quote} in ${text}`).toBe(true);
      }
    }
  });
});

describe('performance', () => {
  // Speed is shown by npm run bench, not by a timed test: this one checks a long text reads the same.
  it('reads a long message (40 repeated sentences) the same as one of its sentences', () => {
    const sentence = 'we run payroll and billing for clinics and store their patient records, ';
    expect(read(sentence.repeat(40), 'product').product).toEqual(read(sentence, 'product').product);
  });
});
