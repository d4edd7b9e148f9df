import type { BotSettings } from '../core/bot-settings.js';
import { OPTED_OUT_CODE, type DeliveryOutcome } from '../core/delivery-error.js';
import type {
  AdvisorNotice,
  ConversationStore,
  Decision,
  OutboxDraft,
  OutboxItem,
  SavedForUpdate,
  TranscriptNote,
} from '../core/ports.js';
import { fillCopy } from '../core/render-reply.js';
import { revive } from '../core/step-conversation.js';
import { applyEvent, decisionOf, fanOut, unchanged } from './apply-event.js';

function carrierNote(settings: BotSettings): TranscriptNote {
  const text = fillCopy(settings.flow.transcript.carrierOptedOut, settings.advisor, { code: OPTED_OUT_CODE });
  return { direction: 'event', author: 'bot', text };
}

/** The opt-out as if the client had texted STOP, quietly (Twilio already answered); null if moot. */
function optOutDecision(settings: BotSettings, saved: SavedForUpdate, now: number): Decision | null {
  if (saved.record.status === 'opted_out' || saved.record.status === 'closed') return null;
  const applied = applyEvent(settings, revive(saved), { type: 'user.optedOut', quiet: true }, now);
  return decisionOf(applied, { notes: [carrierNote(settings)] });
}

/** The note's template for an outcome: not delivered, or maybe not (the bot stopped mid-send). */
function noteTemplate(settings: BotSettings, problem: DeliveryOutcome['problem']): string {
  const t = settings.flow.transcript;
  return problem === 'unknown' ? t.maybeNotDelivered : t.notDelivered;
}

function noteFor(settings: BotSettings, item: OutboxItem, outcome: DeliveryOutcome): TranscriptNote {
  const vars = { item: String(item.id), detail: outcome.detail };
  return {
    direction: 'event',
    author: 'bot',
    text: fillCopy(noteTemplate(settings, outcome.problem), settings.advisor, vars),
  };
}

/** Whether the transcript already reports `item`: a note's words up to {detail} name the item (flow.ts checks). */
function isReported(settings: BotSettings, item: OutboxItem, entry: { text: string }): boolean {
  return (['failed', 'unknown'] as const).some((problem) => {
    const [before = ''] = noteTemplate(settings, problem).split('{detail}');
    return entry.text.startsWith(fillCopy(before, settings.advisor, { item: String(item.id) }));
  });
}

function isOptedOutNotice(draft: OutboxDraft): boolean {
  return draft.payload.type === 'notice' && draft.payload.notice.kind === 'optedOut';
}

/**
 * Tells PJ, on each of his surfaces, that a text to the client was not (or may not have been)
 * delivered, with a transcript note; 21610 also opts the client out. Once per item: a repeated
 * status callback finds the note and changes nothing. Resolves to whether PJ was told.
 */
export async function reportDeliveryProblem(
  store: ConversationStore,
  settings: BotSettings,
  item: OutboxItem,
  outcome: DeliveryOutcome,
  now: number,
): Promise<boolean> {
  if (item.destination.kind !== 'client' || item.payload.type !== 'text') return false;
  const text = item.payload.text;
  const detail = await store.get(item.conversationId);
  // NOTE: two identical callbacks at the same instant could both pass this check; Twilio sends
  // each status once, so at worst PJ hears twice, never a text is resent.
  if (detail === null || detail.transcript.some((entry) => isReported(settings, item, entry))) return false;
  const optedOut = outcome.code === OPTED_OUT_CODE;
  const notice: AdvisorNotice = {
    kind: 'deliveryProblem',
    problem: optedOut ? 'optedOut' : outcome.problem,
    text,
    detail: outcome.detail,
  };
  const updated = await store.update(
    item.conversationId,
    (saved) => {
      const base = (optedOut ? optOutDecision(settings, saved, now) : null) ?? unchanged(saved);
      const decision: Decision = {
        ...base,
        notes: [...(base.notes ?? []), noteFor(settings, item, outcome)],
        // The delivery problem says the client opted out and which text was lost: one notice, not two.
        outbox: [
          ...(base.outbox ?? []).filter((draft) => !isOptedOutNotice(draft)),
          ...fanOut(notice, settings.handoff),
        ],
      };
      return { decision, result: null };
    },
    now,
  );
  // Null: the conversation is gone, so there was nothing to tell PJ about.
  return updated !== null;
}
