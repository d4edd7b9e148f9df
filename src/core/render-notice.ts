import { CHANNELS } from './channels.js';
import type { ConversationRecord } from './conversation.js';
import type { Flow } from './flow.js';
import { countMedia, type InboundMedia } from './media.js';
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

/** What a client attached, as PJ reads it after their words: "+1 picture", "+2 pictures +1 file"; empty for nothing. */
function mediaLabel(media: readonly InboundMedia[] | undefined, flow: Flow): string {
  const { pictures, files } = countMedia(media ?? []);
  const labels = flow.advisor.labels;
  const count = (n: number, one: string, many: string) =>
    n === 0 ? [] : [n === 1 ? one : fillPlaceholders(many, { count: String(n) })];
  return [...count(pictures, labels.onePicture, labels.pictures), ...count(files, labels.oneFile, labels.files)].join(
    ' ',
  );
}

/** A client's words with what they attached: "here it is +1 picture". */
export function withMediaLabel(text: string, media: readonly InboundMedia[] | undefined, flow: Flow): string {
  return [text.trim(), mediaLabel(media, flow)].filter((part) => part !== '').join(' ');
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
      return fillConversation(t.clientMessage, c, flow, advisor, {
        text: withMediaLabel(notice.text, notice.media, flow),
      });
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
