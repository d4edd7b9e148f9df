import type { BotSettings } from '../core/bot-settings.js';
import type { AdvisorNotice, ConversationStore, OutboxItem, TranscriptNote } from '../core/ports.js';
import { renderNotice, surfaceLabel } from '../core/render-notice.js';
import { fillCopy } from '../core/render-reply.js';
import { fanOut, unchanged } from './apply-event.js';

/**
 * A notice to PJ that may not have reached him (the bot stopped mid-send): a transcript note,
 * which the web console shows, and a `noticeLost` on each of his surfaces, the next notice he
 * gets there. A lost `noticeLost` is only noted, so one crash never starts a chain of reports.
 * Resolves to whether it was reported (false: not a notice to PJ, or the conversation is gone).
 */
export async function reportLostNotice(
  store: ConversationStore,
  settings: BotSettings,
  item: OutboxItem,
  now: number,
): Promise<boolean> {
  const { destination, payload } = item;
  if (destination.kind === 'client' || payload.type !== 'notice') return false;
  const { flow, advisor } = settings;
  const via = destination.kind === 'advisorSms' ? 'sms' : 'desk';
  const updated = await store.update(
    item.conversationId,
    (saved) => {
      const text = renderNotice(payload.notice, saved.record, flow, advisor);
      const note: TranscriptNote = {
        direction: 'event',
        author: 'bot',
        text: fillCopy(flow.transcript.noticeLost, advisor, { via: surfaceLabel(via, flow), text }),
      };
      const lost: AdvisorNotice = { kind: 'noticeLost', via, text };
      const outbox = payload.notice.kind === 'noticeLost' ? [] : fanOut(lost, settings.handoff);
      return { decision: unchanged(saved, { notes: [note], outbox }), result: null };
    },
    now,
  );
  return updated !== null;
}
