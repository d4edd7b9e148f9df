import { describe, expect, it } from 'vitest';
import { advise, type Advice } from '../../src/core/advise.js';
import type { AskerFacts, ProductFacts } from '../../src/core/reading.js';

const financial: ProductFacts = { financial: 'payroll', data: null };
const data: ProductFacts = { financial: null, data: 'SaaS' };
const bothProduct: ProductFacts = { financial: 'payments', data: 'card data' };

const finance: AskerFacts = { finance: 'their CFO', security: null };
const security: AskerFacts = { finance: null, security: 'their security team' };
const bothAsker: AskerFacts = { finance: 'their auditors', security: 'procurement' };
const unknown: AskerFacts = { finance: null, security: null };

type Row = [string, ProductFacts, AskerFacts | null, Advice];

const table: Row[] = [
  // Financial service: SOC 1, plus SOC 2 only if the security side asks.
  ['financial + finance asker', financial, finance,
    { verdict: 'soc1', reason: 'soc1.productAndAsker', product: 'payroll', asker: 'their CFO' }],
  ['financial + security asker', financial, security,
    { verdict: 'both', reason: 'both.financialProduct', product: 'payroll', asker: 'their security team' }],
  ['financial + both askers', financial, bothAsker,
    { verdict: 'both', reason: 'both.financialProduct', product: 'payroll', asker: 'procurement' }],
  ['financial + unknown asker', financial, unknown,
    { verdict: 'soc1', reason: 'soc1.product', product: 'payroll', asker: null }],
  ['financial + no asker', financial, null,
    { verdict: 'soc1', reason: 'soc1.product', product: 'payroll', asker: null }],
  // Data service: SOC 2, plus SOC 1 only if the finance side asks.
  ['data + finance asker', data, finance,
    { verdict: 'both', reason: 'both.dataProduct', product: 'SaaS', asker: 'their CFO' }],
  ['data + security asker', data, security,
    { verdict: 'soc2', reason: 'soc2.productAndAsker', product: 'SaaS', asker: 'their security team' }],
  ['data + both askers', data, bothAsker,
    { verdict: 'both', reason: 'both.dataProduct', product: 'SaaS', asker: 'their auditors' }],
  ['data + unknown asker', data, unknown,
    { verdict: 'soc2', reason: 'soc2.product', product: 'SaaS', asker: null }],
  ['data + no asker', data, null,
    { verdict: 'soc2', reason: 'soc2.product', product: 'SaaS', asker: null }],
  // Financial and data service: both, whoever asks.
  ['both + finance asker', bothProduct, finance,
    { verdict: 'both', reason: 'both.product', product: 'payments and card data', asker: null }],
  ['both + security asker', bothProduct, security,
    { verdict: 'both', reason: 'both.product', product: 'payments and card data', asker: null }],
  ['both + both askers', bothProduct, bothAsker,
    { verdict: 'both', reason: 'both.product', product: 'payments and card data', asker: null }],
  ['both + unknown asker', bothProduct, unknown,
    { verdict: 'both', reason: 'both.product', product: 'payments and card data', asker: null }],
  ['both + no asker', bothProduct, null,
    { verdict: 'both', reason: 'both.product', product: 'payments and card data', asker: null }],
];

describe('advise', () => {
  it.each(table)('%s', (_name, product, asker, expected) => {
    expect(advise(product, asker)).toEqual(expected);
  });

  it('says plain SaaS asked by a security team is SOC 2', () => {
    expect(advise({ financial: null, data: 'SaaS' }, { finance: null, security: 'their security team' })?.verdict).toBe('soc2');
  });

  it('says a financial service with an unknown asker is SOC 1', () => {
    expect(advise({ financial: 'billing', data: null }, { finance: null, security: null })?.verdict).toBe('soc1');
  });

  it('never recommends SOC 1 for a data service unless the finance side asks', () => {
    expect(advise(data, unknown)?.verdict).toBe('soc2');
    expect(advise(data, security)?.verdict).toBe('soc2');
  });

  it.each([finance, security, bothAsker, unknown, null])('gives nothing when the product says nothing (asker %j)', (asker) => {
    expect(advise({ financial: null, data: null }, asker)).toBeNull();
  });
});
