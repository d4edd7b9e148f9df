import type { AskerFacts, ProductFacts } from './reading.js';

export type Verdict = 'soc1' | 'soc2' | 'both';

/** Which reason line explains the verdict; each has its own text in flows/main.yaml. */
export type ReasonKey =
  | 'soc1.product'
  | 'soc1.productAndAsker'
  | 'soc2.product'
  | 'soc2.productAndAsker'
  | 'both.product'
  | 'both.financialProduct'
  | 'both.dataProduct';

export interface Advice {
  verdict: Verdict;
  reason: ReasonKey;
  /** The product term the reason line quotes back. */
  product: string;
  /** The asker term the reason line quotes back, when the reason names one. */
  asker: string | null;
}

/**
 * The advisor's rule: SOC 1 when the service or the asker is about customers' financial
 * reporting, SOC 2 when the service holds their data or the asker is the security side,
 * both when both hold. An asker who is neither adds nothing, so SOC 1 is never recommended
 * just because it sounds adjacent. Returns null when the product gives nothing to go on.
 */
export function advise(product: ProductFacts, asker: AskerFacts | null): Advice | null {
  const finance = asker?.finance ?? null;
  const security = asker?.security ?? null;
  const soc1 = product.financial !== null || finance !== null;
  const soc2 = product.data !== null || security !== null;
  if (product.financial === null && product.data === null) return null;

  if (soc1 && soc2) return adviseBoth(product, finance, security);
  if (soc1) {
    const label = product.financial ?? '';
    return finance !== null
      ? { verdict: 'soc1', reason: 'soc1.productAndAsker', product: label, asker: finance }
      : { verdict: 'soc1', reason: 'soc1.product', product: label, asker: null };
  }
  const label = product.data ?? '';
  return security !== null
    ? { verdict: 'soc2', reason: 'soc2.productAndAsker', product: label, asker: security }
    : { verdict: 'soc2', reason: 'soc2.product', product: label, asker: null };
}

function adviseBoth(product: ProductFacts, finance: string | null, security: string | null): Advice {
  if (product.financial !== null && product.data !== null) {
    return { verdict: 'both', reason: 'both.product', product: `${product.financial} and ${product.data}`, asker: null };
  }
  if (product.financial !== null) {
    return { verdict: 'both', reason: 'both.financialProduct', product: product.financial, asker: security };
  }
  return { verdict: 'both', reason: 'both.dataProduct', product: product.data ?? '', asker: finance };
}
