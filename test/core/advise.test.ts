import { describe, expect, it } from 'vitest';
import { advise, type Known, type Outcome, type Verdict } from '../../src/core/advise.js';
import type { AskerFacts, ProductFacts, RequestFacts } from '../../src/core/reading.js';

/**
 * The advice model of issue 7, as a decision table PJ can read line by line:
 * 1. who is asking decides when known; 2. otherwise the service decides; 3. a named report or
 * Type wins; 4. the buying side is told what to request.
 */

const product = (facts: Partial<ProductFacts>): ProductFacts => ({
  financial: null,
  sensitive: null,
  technology: null,
  generic: null,
  ...facts,
});
const P = {
  payroll: product({ financial: 'payroll' }),
  paymentsAndCards: product({ financial: 'payments', sensitive: 'card data' }),
  billingSoftware: product({ financial: 'billing', generic: 'software' }),
  crm: product({ technology: 'CRM' }),
  hostingSoftware: product({ technology: 'hosting', generic: 'software' }),
  patientData: product({ sensitive: 'patient data' }),
  software: product({ generic: 'software' }),
};
const A: Record<'finance' | 'security' | 'bothSides' | 'unknown', AskerFacts> = {
  finance: { finance: 'their CFO', security: null },
  security: { finance: null, security: 'their security team' },
  bothSides: { finance: 'their auditors', security: 'procurement' },
  unknown: { finance: null, security: null },
};
const request = (report: Verdict | null, type: 1 | 2 | null = null): RequestFacts => ({ report, type });

interface Given {
  product?: ProductFacts | null;
  /** Defaults to "a product was named"; true with product null is a description the lexicon did not know. */
  productAnswered?: boolean;
  asker?: AskerFacts | null;
  request?: RequestFacts | null;
  buyer?: boolean;
}

const QUOTES = { product: 'we run payroll for clinics', asker: 'their CFO asked', request: 'soc 1 type 2' };

function known(given: Given): Known {
  const productFacts = given.product ?? null;
  return {
    product: productFacts,
    productAnswered: given.productAnswered ?? productFacts !== null,
    asker: given.asker ?? null,
    request: given.request ?? null,
    buyer: given.buyer ?? false,
    quotes: QUOTES,
  };
}

/** An outcome as one short line: "soc1 soc1.productAndAsker", "conflict", "needAsker". */
function line(outcome: Outcome): string {
  if (outcome.kind !== 'advice') return outcome.kind;
  const { verdict, reason, typeAdvice, side } = outcome.advice;
  return [
    verdict,
    reason,
    ...(typeAdvice === 'default' ? [] : [typeAdvice]),
    ...(side === 'buyer' ? ['buyer side'] : []),
  ].join(' ');
}

const decide = (given: Given): string => line(advise(known(given)));

type Row = [string, Given, string];

describe('who is asking decides when it is known', () => {
  const rows: Row[] = [
    ['security side, financial product', { asker: A.security, product: P.payroll }, 'soc2 soc2.asker'],
    [
      'security side, financial product with card data',
      { asker: A.security, product: P.paymentsAndCards },
      'soc2 soc2.asker',
    ],
    ['security side, before any product', { asker: A.security }, 'soc2 soc2.asker'],
    ['finance side, financial product', { asker: A.finance, product: P.payroll }, 'soc1 soc1.productAndAsker'],
    [
      'finance side, financial product on software',
      { asker: A.finance, product: P.billingSoftware },
      'soc1 soc1.productAndAsker',
    ],
    [
      'finance side, financial product with card data',
      { asker: A.finance, product: P.paymentsAndCards },
      'soc1 soc1.productAndAsker',
    ],
    ['finance side, a CRM', { asker: A.finance, product: P.crm }, 'conflict'],
    ['finance side, hosting on software', { asker: A.finance, product: P.hostingSoftware }, 'conflict'],
    ['finance side, patient data only', { asker: A.finance, product: P.patientData }, 'conflict'],
    ['finance side, just "software"', { asker: A.finance, product: P.software }, 'soc1 soc1.asker'],
    [
      'finance side, a description the lexicon does not know',
      { asker: A.finance, productAnswered: true },
      'soc1 soc1.asker',
    ],
    ['finance side, before any product', { asker: A.finance }, 'needProduct'],
    ['both sides, a CRM', { asker: A.bothSides, product: P.crm }, 'both both.asker'],
    ['both sides, before any product', { asker: A.bothSides }, 'both both.asker'],
  ];
  it.each(rows)('%s', (_name, given, expected) => {
    expect(decide(given)).toBe(expected);
  });
});

describe('with an unknown asker the service decides', () => {
  const rows: Row[] = [
    ['financial processing', { asker: A.unknown, product: P.payroll }, 'soc1 soc1.product'],
    ['financial processing on software', { asker: A.unknown, product: P.billingSoftware }, 'soc1 soc1.product'],
    ['financial processing and sensitive data', { asker: A.unknown, product: P.paymentsAndCards }, 'both both.product'],
    ['a specific technology', { asker: A.unknown, product: P.crm }, 'soc2 soc2.product'],
    ['only generic words', { asker: A.unknown, product: P.software }, 'soc2 soc2.product'],
    ['only sensitive data', { asker: A.unknown, product: P.patientData }, 'soc2 soc2.product'],
    // c1cefec: a description the lexicon does not know is still some service (issue 7, rule 2).
    ['a description the lexicon does not know', { asker: A.unknown, productAnswered: true }, 'soc2 soc2.product'],
    ['nothing answered at all', { asker: A.unknown }, 'needProduct'],
  ];
  it.each(rows)('%s', (_name, given, expected) => {
    expect(decide(given)).toBe(expected);
  });
});

describe('what is still missing', () => {
  const rows: Row[] = [
    ['nothing known', {}, 'needProduct'],
    ['a financial product, no asker yet', { product: P.payroll }, 'needAsker'],
    ['a CRM, no asker yet', { product: P.crm }, 'needAsker'],
    ['an unknown description, no asker yet', { productAnswered: true }, 'needAsker'],
    ['a named report, no product yet', { request: request('soc2') }, 'needProduct'],
  ];
  it.each(rows)('%s', (_name, given, expected) => {
    expect(decide(given)).toBe(expected);
  });
});

describe('an explicit request wins', () => {
  const rows: Row[] = [
    [
      'SOC 2 named for a payroll service asked by the CFO',
      { request: request('soc2'), product: P.payroll, asker: A.finance },
      'soc2 requested',
    ],
    ['SOC 1 named for a payroll service', { request: request('soc1'), product: P.payroll }, 'soc1 requested'],
    ['SOC 1 named for plain software', { request: request('soc1'), product: P.software }, 'soc1 requested'],
    ['SOC 1 named for an unknown description', { request: request('soc1'), productAnswered: true }, 'soc1 requested'],
    ['SOC 1 named for a CRM', { request: request('soc1'), product: P.crm }, 'conflict'],
    [
      'SOC 1 named for a CRM by the finance side',
      { request: request('soc1'), product: P.crm, asker: A.finance },
      'conflict',
    ],
    ['both named for a CRM', { request: request('both'), product: P.crm }, 'conflict'],
    ['SOC 2 named for a CRM', { request: request('soc2'), product: P.crm }, 'soc2 requested'],
    ['SOC 1 Type 2 named', { request: request('soc1', 2), product: P.payroll }, 'soc1 requested type2Requested'],
    ['SOC 2 Type 1 named', { request: request('soc2', 1), product: P.crm }, 'soc2 requested type1Requested'],
    [
      'only "Type 2" named, the security side asking',
      { request: request(null, 2), asker: A.security },
      'soc2 soc2.asker type2Requested',
    ],
    [
      'only "Type 2" named, the finance side asking',
      { request: request(null, 2), asker: A.finance, product: P.payroll },
      'soc1 soc1.productAndAsker type2Requested',
    ],
    [
      'only "Type 1" named, unknown asker, a CRM',
      { request: request(null, 1), asker: A.unknown, product: P.crm },
      'soc2 soc2.product type1Requested',
    ],
  ];
  it.each(rows)('%s', (_name, given, expected) => {
    expect(decide(given)).toBe(expected);
  });
});

describe('the buying side is told what to request', () => {
  const rows: Row[] = [
    ['a payroll vendor', { buyer: true, product: P.payroll }, 'soc1 buyer.soc1 buyer buyer side'],
    [
      'a payments vendor holding card data',
      { buyer: true, product: P.paymentsAndCards },
      'both buyer.both buyer buyer side',
    ],
    ['a CRM vendor', { buyer: true, product: P.crm }, 'soc2 buyer.soc2 buyer buyer side'],
    ['a software vendor', { buyer: true, product: P.software }, 'soc2 buyer.soc2 buyer buyer side'],
    [
      'a CRM vendor, for the finance side',
      { buyer: true, product: P.crm, asker: A.finance },
      'soc2 buyer.soc2 buyer buyer side',
    ],
    [
      'a vendor in unknown words, for the finance side',
      { buyer: true, productAnswered: true, asker: A.finance },
      'soc1 buyer.soc1 buyer buyer side',
    ],
    [
      'a vendor in unknown words, for the security side',
      { buyer: true, productAnswered: true, asker: A.security },
      'soc2 buyer.soc2 buyer buyer side',
    ],
    ['a vendor in unknown words', { buyer: true, productAnswered: true }, 'soc2 buyer.soc2 buyer buyer side'],
    ['any vendor, for both sides', { buyer: true, asker: A.bothSides }, 'both buyer.both buyer buyer side'],
    [
      'a named SOC 1 Type 2',
      { buyer: true, request: request('soc1', 2), product: P.crm },
      'soc1 requested type2Requested buyer side',
    ],
    ['nothing said about the vendor, for the finance side', { buyer: true, asker: A.finance }, 'needProduct'],
    ['nothing said about the vendor', { buyer: true }, 'needProduct'],
  ];
  it.each(rows)('%s', (_name, given, expected) => {
    expect(decide(given)).toBe(expected);
  });
});

describe('the advice itself', () => {
  it("carries the client's own words for every placeholder", () => {
    const outcome = advise(known({ asker: A.finance, product: P.payroll, request: request(null, 2) }));
    expect(outcome).toEqual({
      kind: 'advice',
      advice: {
        verdict: 'soc1',
        side: 'client',
        reason: 'soc1.productAndAsker',
        typeAdvice: 'type2Requested',
        product: QUOTES.product,
        asker: QUOTES.asker,
        request: QUOTES.request,
      },
    });
  });

  it('fills a missing quote with an empty string, never null', () => {
    const outcome = advise({
      ...known({ asker: A.security }),
      quotes: { product: null, asker: 'infosec', request: null },
    });
    expect(outcome.kind === 'advice' && outcome.advice).toMatchObject({ product: '', asker: 'infosec', request: '' });
  });
});

describe('the model, over every combination of facts', () => {
  const kinds = ['financial', 'sensitive', 'technology', 'generic'] as const;
  const products: Array<{ product: ProductFacts | null; productAnswered: boolean }> = [
    { product: null, productAnswered: false },
    { product: null, productAnswered: true },
    // Every non-empty mix of the four kinds of product words.
    ...Array.from({ length: 15 }, (_, bits) => ({
      product: product(Object.fromEntries(kinds.map((kind, i) => [kind, ((bits + 1) >> i) & 1 ? kind : null]))),
      productAnswered: true,
    })),
  ];
  const askers = [null, ...Object.values(A)];
  const requests = [
    null,
    request('soc1'),
    request('soc2'),
    request('both'),
    request(null, 1),
    request(null, 2),
    request('soc1', 2),
  ];
  const all: Given[] = products.flatMap((p) =>
    askers.flatMap((asker) =>
      requests.flatMap((r) => [false, true].map((buyer) => ({ ...p, asker, request: r, buyer }))),
    ),
  );
  const plainlyNotBooks = (p: ProductFacts | null): boolean =>
    p !== null && p.financial === null && (p.technology !== null || p.sensitive !== null);

  it('covers a few thousand combinations', () => {
    expect(all.length).toBeGreaterThan(1000);
  });

  it('puts the advice on the side the writer is on, with buyer Type advice only for buyers', () => {
    for (const given of all) {
      const outcome = advise(known(given));
      if (outcome.kind !== 'advice') continue;
      expect(outcome.advice.side, JSON.stringify(given)).toBe(given.buyer ? 'buyer' : 'client');
      if (outcome.advice.typeAdvice === 'buyer') expect(given.buyer).toBe(true);
      expect(outcome.advice.reason.startsWith('buyer.'), JSON.stringify(given)).toBe(
        given.buyer === true && outcome.advice.reason !== 'requested',
      );
    }
  });

  it('makes the Type advice follow a named Type, whatever the verdict', () => {
    for (const given of all) {
      const outcome = advise(known(given));
      if (outcome.kind !== 'advice') continue;
      const type = given.request?.type ?? null;
      const expected =
        type === 2 ? 'type2Requested' : type === 1 ? 'type1Requested' : given.buyer ? 'buyer' : 'default';
      expect(outcome.advice.typeAdvice, JSON.stringify(given)).toBe(expected);
    }
  });

  it('never lets generic words (software, SaaS, data) change a finance-side outcome', () => {
    for (const given of all.filter((g) => g.asker === A.finance && g.productAnswered)) {
      const withGeneric = { ...given, product: { ...(given.product ?? product({})), generic: 'software' } };
      expect(decide(withGeneric), JSON.stringify(given)).toBe(decide(given));
    }
  });

  it('advises SOC 1 to a vendor of a plainly non-financial service only when someone named it', () => {
    for (const given of all.filter((g) => !g.buyer && plainlyNotBooks(g.product ?? null))) {
      const outcome = advise(known(given));
      if (outcome.kind === 'advice' && outcome.advice.verdict !== 'soc2') {
        expect(outcome.advice.reason, JSON.stringify(given)).toMatch(/^(requested|both\.asker)$/);
      }
    }
  });

  it('advises both to a vendor only for both sides asking, financial processing with sensitive data, or a named request', () => {
    for (const given of all.filter((g) => !g.buyer)) {
      const outcome = advise(known(given));
      if (outcome.kind !== 'advice' || outcome.advice.verdict !== 'both') continue;
      const bothSides = given.asker === A.bothSides;
      const financialAndSensitive = given.product?.financial != null && given.product.sensitive !== null;
      expect(bothSides || financialAndSensitive || given.request?.report === 'both', JSON.stringify(given)).toBe(true);
    }
  });

  it('always advises SOC 2 to a vendor when only the security side asks and nobody named a report', () => {
    for (const given of all.filter((g) => !g.buyer && g.asker === A.security && g.request?.report == null)) {
      expect(decide(given).split(' ').slice(0, 2).join(' '), JSON.stringify(given)).toBe('soc2 soc2.asker');
    }
  });
});
