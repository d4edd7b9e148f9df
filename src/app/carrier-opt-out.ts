import type { AdvisorNotice, ConversationStore, Decision, OutboxDraft, OutboxItem, SavedForUpdate, TranscriptNote } from '../core/ports.js';
import { applyEvent, fanOut, persist, revive, unchanged, type BotSettings } from './apply-event.js';

/** Twilio's error code for a recipient who opted out (replied STOP): nothing more can be sent. */
export const OPTED_OUT_CODE = '21610';

const carrierNote: TranscriptNote = {
  direction: 'event',
  author: 'bot',
  text: `the carrier reports the client opted out (${OPTED_OUT_CODE})`,
};


/** The opt-out as if the client had texted STOP, quietly (Twilio already answered); null if moot. */
function optOutDecision(settings: BotSettings, saved: SavedForUpdate, now: number): Decision | null {
  if (saved.record.status === 'opted_out' || saved.record.status === 'closed') return null;
  const applied = applyEvent(settings, revive(saved), { type: 'user.optedOut', quiet: true }, now);
  return {
    ...persist(applied.next),
    summary: applied.summary,
    replies: [],
    notes: [carrierNote],
    outbox: applied.notices,
    ...(applied.deadlines && { deadlines: applied.deadlines }),
  };
}

/**
 * Twilio refused a text because the client opted out (21610), or a status callback said so:
 * the conversation becomes opted out, as STOP would make it. Resolves to whether it changed.
 */
export async function optOutByCarrier(store: ConversationStore, settings: BotSettings, conversationId: number, now: number): Promise<boolean> {
  let changed = false;
  await store.update(
    conversationId,
    (saved) => {
      const decision = optOutDecision(settings, saved, now);
      changed = decision !== null;
      return decision;
    },
    now,
  );
  return changed;
}

export interface DeliveryOutcome {
  /** failed: the provider refused or gave up; unknown: the bot stopped mid-send. */
  problem: 'failed' | 'unknown';
  /** The provider's error code, if any; 21610 also opts the client out. */
  code: string | null;
  /** Shown to PJ, e.g. "30003" or "21211: not a valid phone number". */
  detail: string;
}

const marker = (item: OutboxItem) => `outbox item ${item.id} `;

function noteFor(item: OutboxItem, outcome: DeliveryOutcome): TranscriptNote {
  const what = outcome.problem === 'unknown' ? 'may not have been delivered (the bot stopped mid-send)' : 'was not delivered';
  return { direction: 'event', author: 'bot', text: `${marker(item)}${what}: ${outcome.detail}` };
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
  if (detail === null || detail.transcript.some((entry) => entry.text.startsWith(marker(item)))) return false;
  const optedOut = outcome.code === OPTED_OUT_CODE;
  const notice: AdvisorNotice = { kind: 'deliveryProblem', problem: optedOut ? 'optedOut' : outcome.problem, text, detail: outcome.detail };
  let told = false;
  await store.update(
    item.conversationId,
    (saved) => {
      const base = (optedOut ? optOutDecision(settings, saved, now) : null) ?? unchanged(saved);
      told = true;
      return {
        ...base,
        notes: [...(base.notes ?? []), noteFor(item, outcome)],
        // The delivery problem says the client opted out and which text was lost: one notice, not two.
        outbox: [...(base.outbox ?? []).filter((draft) => !isOptedOutNotice(draft)), ...fanOut(notice, settings.handoff)],
      };
    },
    now,
  );
  return told;
}
