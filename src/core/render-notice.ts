import { CHANNELS } from './channels.js';
import type { ConversationRecord } from './conversation.js';
import type { Flow } from './flow.js';
import { maskParticipant } from './mask-participant.js';
import type { AdvisorNotice } from './ports.js';
import { fillCopy, fillPlaceholders, type Advisor } from './render-reply.js';

/** The verdict as PJ reads it: for the buying side, the report to request from their vendor. */
function verdictLabel(c: ConversationRecord, flow: Flow): string {
  const labels = flow.advisor.labels;
  if (c.verdict === null) return labels.noVerdict;
  return c.side === 'buyer' ? fillPlaceholders(labels.buyer, { report: labels[c.verdict] }) : labels[c.verdict];
}

/** How a notice names one of PJ's surfaces: "by text", "on Slack". */
export function surfaceLabel(via: 'sms' | 'desk', flow: Flow): string {
  return via === 'sms' ? flow.advisor.labels.viaSms : flow.advisor.labels.viaDesk;
}

/**
 * Fills the placeholders that name a conversation in a text to PJ, and {advisor} and {phone}, in
 * one pass: a client's words ({product}, {asker}, {text}) are never read as placeholders.
 */
export function fillConversation(
  text: string,
  c: ConversationRecord,
  flow: Flow,
  advisor: Advisor,
  extra: Record<string, string> = {},
): string {
  const labels = flow.advisor.labels;
  const vars: Record<string, string> = {
    id: String(c.id),
    reasons: c.flags.join(', ') || labels.noReasons,
    language: labels.languages[c.language ?? 'en'],
    sender: maskParticipant(c.participant),
    channel: CHANNELS[c.channel].label,
    verdict: verdictLabel(c, flow),
    product: c.answers.product ?? labels.notAnswered,
    asker: c.answers.asker ?? labels.notAnswered,
    ...extra,
  };
  return fillCopy(text, advisor, vars);
}

/** One notice to PJ as a short text; SMS and the Slack handoff thread both use it. */
export function renderNotice(notice: AdvisorNotice, c: ConversationRecord, flow: Flow, advisor: Advisor): string {
  const t = flow.advisor;
  switch (notice.kind) {
    case 'flagged':
      return fillConversation(t.flagged, { ...c, flags: notice.reasons }, flow, advisor);
    case 'reminder':
      return fillConversation(t.reminder, c, flow, advisor);
    case 'clientMessage':
      return fillConversation(t.clientMessage, c, flow, advisor, { text: notice.text });
    case 'optedOut':
      return fillConversation(t.optedOut, c, flow, advisor);
    case 'tookOver':
      return fillConversation(t.tookOver, c, flow, advisor, { by: notice.by });
    case 'released':
      return fillConversation(t.released, c, flow, advisor, { by: notice.by });
    case 'closed':
      return fillConversation(t.closed, c, flow, advisor, { by: notice.by });
    case 'deliveryProblem':
      return fillConversation(notice.problem === 'unknown' ? t.unknown : t.failed, c, flow, advisor, {
        text: notice.text,
        detail: notice.detail,
      });
    case 'noticeLost':
      return fillConversation(t.noticeLost, c, flow, advisor, {
        via: surfaceLabel(notice.via, flow),
        text: notice.text,
      });
  }
}
