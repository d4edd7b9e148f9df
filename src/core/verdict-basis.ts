import type { ConversationContext } from './conversation-machine.js';
import type { VerdictBasis } from './pipeline.js';

/** The concepts the bot recognised, as `kind:label` ("product.financial:payroll", "asker.security:it"). */
function conceptsOf(context: ConversationContext): string[] {
  const concepts: string[] = [];
  for (const [kind, label] of Object.entries(context.product ?? {}))
    if (label !== null) concepts.push(`product.${kind}:${label}`);
  for (const [kind, label] of Object.entries(context.asker ?? {}))
    if (label !== null) concepts.push(`asker.${kind}:${label}`);
  if (context.request?.report) concepts.push(`request.report:${context.request.report}`);
  if (context.request?.type) concepts.push(`request.type:${context.request.type}`);
  if (context.buyer) concepts.push('buyer');
  return concepts;
}

/**
 * Why the conversation's verdict is what it is (the reason line and the concepts recognised), or
 * null while there is none. A conflict (SOC 1 asked for a service that plainly is not financial)
 * has no verdict but still a reason.
 */
export function verdictBasisOf(context: ConversationContext, rulesVersion: string | null): VerdictBasis | null {
  const reason = context.advice?.reason ?? (context.flags.includes('conflict') ? 'conflict' : null);
  return reason === null ? null : { reason, concepts: conceptsOf(context), rulesVersion };
}

/**
 * The basis to save after a step from `before` to `after`: the new one (null: no verdict now)
 * when the reason or the concepts changed, undefined when they did not, so the rules version
 * stays that of the rules that produced the verdict.
 */
export function changedVerdictBasis(
  before: ConversationContext,
  after: ConversationContext,
  rulesVersion: string | null,
): VerdictBasis | null | undefined {
  const was = verdictBasisOf(before, null);
  const now = verdictBasisOf(after, null);
  if (JSON.stringify(was) === JSON.stringify(now)) return undefined;
  return now === null ? null : { ...now, rulesVersion };
}
