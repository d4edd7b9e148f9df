import type { AskerFacts, ProductFacts, RequestFacts } from './reading.js';

export type Verdict = 'soc1' | 'soc2' | 'both';

/** client: a vendor asked for a report; buyer: someone choosing what to request from a vendor. */
export type Side = 'client' | 'buyer';

/** Which reason line explains the verdict; each has its own text in flows/main.yaml. */
export type ReasonKey =
  | 'soc1.product'
  | 'soc1.asker'
  | 'soc1.productAndAsker'
  | 'soc2.product'
  | 'soc2.asker'
  | 'both.product'
  | 'both.asker'
  | 'requested'
  | 'buyer.soc1'
  | 'buyer.soc2'
  | 'buyer.both';

/** Which Type advice follows the verdict. */
export type TypeAdvice = 'default' | 'type1Requested' | 'type2Requested' | 'buyer';

export interface Advice {
  verdict: Verdict;
  side: Side;
  reason: ReasonKey;
  typeAdvice: TypeAdvice;
  /** The client's own words the reason quotes. */
  product: string;
  asker: string;
  request: string;
}

/** Everything the conversation knows so far, as the advice rule needs it. */
export interface Known {
  product: ProductFacts | null;
  /** Some answer to "what does your product do" arrived, understood or not. */
  productAnswered: boolean;
  asker: AskerFacts | null;
  request: RequestFacts | null;
  buyer: boolean;
  quotes: { product: string | null; asker: string | null; request: string | null };
}

export type Outcome =
  | { kind: 'advice'; advice: Advice }
  /** The finance side wants SOC 1 for a service that plainly does not feed anyone's books. */
  | { kind: 'conflict' }
  | { kind: 'needProduct' }
  | { kind: 'needAsker' }
  /** Both questions answered, and neither answer says enough. */
  | { kind: 'undecided' };

/** A service that plainly does not feed anyone's books: a CRM, hosting, patient records. */
function plainlyNotBooks(product: ProductFacts | null): boolean {
  return product !== null && product.financial === null && (product.technology !== null || product.sensitive !== null);
}

function typeAdviceOf(known: Known): TypeAdvice {
  if (known.request?.type === 2) return 'type2Requested';
  if (known.request?.type === 1) return 'type1Requested';
  return known.buyer ? 'buyer' : 'default';
}

function advice(known: Known, verdict: Verdict, reason: ReasonKey): Outcome {
  const { quotes } = known;
  return {
    kind: 'advice',
    advice: {
      verdict,
      side: known.buyer ? 'buyer' : 'client',
      reason,
      typeAdvice: typeAdviceOf(known),
      product: quotes.product ?? '',
      asker: quotes.asker ?? '',
      request: quotes.request ?? '',
    },
  };
}

/** The report a buyer should request: the vendor's service decides, then the buyer's own role. */
function adviseBuyer(known: Known): Outcome {
  const { product, asker } = known;
  if (known.request?.report) return advice(known, known.request.report, 'requested');
  if (asker?.finance && asker.security) return advice(known, 'both', 'buyer.both');
  if (!known.productAnswered) return { kind: 'needProduct' };
  if (product?.financial && product.sensitive) return advice(known, 'both', 'buyer.both');
  if (product?.financial) return advice(known, 'soc1', 'buyer.soc1');
  if (asker?.finance && !plainlyNotBooks(product)) return advice(known, 'soc1', 'buyer.soc1');
  return advice(known, 'soc2', 'buyer.soc2');
}

/**
 * PJ's rule, from his page: build the report the requester is waiting on.
 * 1. A named report wins (a SOC 1 demanded for a service that plainly isn't financial is a conflict).
 * 2. Who is asking decides when known: security side SOC 2, finance side SOC 1 when the service
 *    plausibly feeds their books (a conflict when it plainly does not), both sides both.
 * 3. Otherwise the service decides: financial processing SOC 1, plus sensitive data both, any
 *    other technology or service SOC 2. Generic words never add SOC 2 to a finance-side request.
 */
export function advise(known: Known): Outcome {
  if (known.buyer) return adviseBuyer(known);
  const { product, asker, request } = known;
  if (request?.report) {
    if (!known.productAnswered) return { kind: 'needProduct' };
    if (request.report !== 'soc2' && plainlyNotBooks(product)) return { kind: 'conflict' };
    // SOC 1 named while both sides ask: the security side still wants its SOC 2.
    if (request.report === 'soc1' && asker?.finance && asker.security) return advice(known, 'both', 'both.asker');
    return advice(known, request.report, 'requested');
  }
  if (asker?.finance && asker.security) return advice(known, 'both', 'both.asker');
  if (asker?.security) return advice(known, 'soc2', 'soc2.asker');
  if (asker?.finance) {
    if (!known.productAnswered) return { kind: 'needProduct' };
    if (product?.financial) return advice(known, 'soc1', 'soc1.productAndAsker');
    if (plainlyNotBooks(product)) return { kind: 'conflict' };
    return advice(known, 'soc1', 'soc1.asker');
  }
  if (!known.productAnswered) return { kind: 'needProduct' };
  if (asker === null) return { kind: 'needAsker' };
  // A description the lexicon does not know is still some technology or service: SOC 2.
  if (product === null) return advice(known, 'soc2', 'soc2.product');
  if (product.financial && product.sensitive) return advice(known, 'both', 'both.product');
  if (product.financial) return advice(known, 'soc1', 'soc1.product');
  return advice(known, 'soc2', 'soc2.product');
}
