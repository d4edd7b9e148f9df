import { CHANNELS } from './channels.js';
import type { ConversationRecord } from './conversation.js';
import type { Flow } from './flow.js';
import { maskParticipant } from './mask-participant.js';
import type { AdvisorNotice } from './ports.js';
import { fillAdvisor, fillPlaceholders, type Advisor } from './render-reply.js';

const VERDICT = { soc1: 'SOC 1', soc2: 'SOC 2', both: 'SOC 1 + SOC 2' } as const;

/** The verdict as PJ reads it: for the buying side, the report to request from their vendor. */
function verdictLabel(c: ConversationRecord): string {
  if (c.verdict === null) return 'none yet';
  return c.side === 'buyer' ? `${VERDICT[c.verdict]} to request (buying side)` : VERDICT[c.verdict];
}

/** Fills the placeholders that name a conversation in a text to PJ. */
export function fillConversation(text: string, c: ConversationRecord, advisor: Advisor, extra: Record<string, string> = {}): string {
  const vars: Record<string, string> = {
    id: String(c.id),
    reasons: c.flags.join(', ') || 'none',
    sender: maskParticipant(c.participant),
    channel: CHANNELS[c.channel].label,
    verdict: verdictLabel(c),
    product: c.answers.product ?? '(not answered)',
    asker: c.answers.asker ?? '(not answered)',
    ...extra,
  };
  return fillAdvisor(fillPlaceholders(text, vars), advisor);
}

/** One notice to PJ as a short text; SMS and the Slack handoff thread both use it. */
export function renderNotice(notice: AdvisorNotice, c: ConversationRecord, flow: Flow, advisor: Advisor): string {
  const t = flow.advisor;
  switch (notice.kind) {
    case 'flagged':
      return fillConversation(t.flagged, { ...c, flags: notice.reasons }, advisor);
    case 'reminder':
      return fillConversation(t.reminder, c, advisor);
    case 'clientMessage':
      return fillConversation(t.clientMessage, c, advisor, { text: notice.text });
    case 'optedOut':
      return fillConversation(t.optedOut, c, advisor);
    case 'tookOver':
      return fillConversation(t.tookOver, c, advisor, { by: notice.by });
    case 'released':
      return fillConversation(t.released, c, advisor, { by: notice.by });
    case 'closed':
      return fillConversation(t.closed, c, advisor, { by: notice.by });
    case 'deliveryProblem':
      return fillConversation(notice.problem === 'unknown' ? t.unknown : t.failed, c, advisor, {
        text: notice.text,
        detail: notice.detail,
      });
  }
}
