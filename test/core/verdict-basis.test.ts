import { describe, expect, it } from 'vitest';
import type { Advice } from '../../src/core/advise.js';
import { initialContext, type ConversationContext } from '../../src/core/conversation-machine.js';
import { changedVerdictBasis, verdictBasisOf } from '../../src/core/verdict-basis.js';

const advice: Advice = {
  verdict: 'soc2',
  side: 'client',
  reason: 'soc2.asker',
  typeAdvice: 'default',
  product: '',
  asker: 'IT',
  request: '',
};
const advised: ConversationContext = {
  ...initialContext,
  advice,
  asker: { finance: null, security: 'it team' },
  product: { financial: 'payroll', sensitive: null, technology: null, generic: null },
};

describe('verdict basis', () => {
  it('names the reason line and the concepts recognised', () => {
    expect(verdictBasisOf(advised, 'v1')).toEqual({
      reason: 'soc2.asker',
      concepts: ['product.financial:payroll', 'asker.security:it team'],
      rulesVersion: 'v1',
    });
    expect(verdictBasisOf(initialContext, 'v1')).toBeNull();
    expect(verdictBasisOf({ ...initialContext, flags: ['conflict'] }, 'v1')?.reason).toBe('conflict');
  });

  it('is stamped with the rules version only when the reason or concepts change', () => {
    expect(changedVerdictBasis(initialContext, advised, 'v2')?.rulesVersion).toBe('v2');
    // The same verdict on the same facts keeps the version of the rules that first gave it.
    expect(changedVerdictBasis(advised, { ...advised, pointerAt: 5 }, 'v3')).toBeUndefined();
    expect(changedVerdictBasis(advised, { ...advised, advice: null, asker: null, product: null }, 'v3')).toBeNull();
  });
});
