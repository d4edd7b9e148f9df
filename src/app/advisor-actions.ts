import type { BotSettings } from '../core/bot-settings.js';
import type { ConversationEvent } from '../core/conversation-machine.js';
import type { AdvisorActions, AdvisorResult, Surface } from '../core/driving-ports.js';
import type { ConversationStore, Decision, OutboxDraft, SavedForUpdate, TranscriptNote } from '../core/ports.js';
import { renderReply } from '../core/render-reply.js';
import { revive } from '../core/step-conversation.js';
import { applyEvent, decisionOf, clientText, fanOut, unchanged } from './apply-event.js';

type Step = (saved: SavedForUpdate) => { decision: Decision | null; error?: Exclude<AdvisorResult, { ok: true }>['error'] };

export function createAdvisorActions(store: ConversationStore, settings: BotSettings, now: () => number): AdvisorActions {
  const who = (by: Surface) => `${settings.advisor.name} (${by})`;

  /** One machine event as a Decision: bot words to the client, notes, notices, timers. */
  function decide(saved: SavedForUpdate, event: ConversationEvent, at: number, notes: TranscriptNote[], extra: OutboxDraft[]): Decision {
    const applied = applyEvent(settings, revive(saved), event, at);
    const text = renderReply(applied.says, settings.flow, settings.advisor, saved.record.channel);
    return decisionOf(applied, {
      notes: [...notes, ...(text === null ? [] : [{ direction: 'out' as const, author: 'bot' as const, text }])],
      before: extra,
      after: clientText(text, 'bot'),
    });
  }

  function refuse(saved: SavedForUpdate): ReturnType<Step> | null {
    if (saved.record.status === 'closed') return { decision: null, error: 'closed' };
    if (saved.record.status === 'opted_out') return { decision: null, error: 'opted_out' };
    return null;
  }

  const takeOverStep =
    (by: Surface): Step =>
    (saved) => {
      const refused = refuse(saved);
      if (refused) return refused;
      if (saved.record.status === 'human') return { decision: null };
      const notice = fanOut({ kind: 'tookOver', by: who(by) }, settings.handoff);
      const note: TranscriptNote = { direction: 'event', author: 'advisor', text: `${who(by)} took over` };
      return { decision: decide(saved, { type: 'advisor.tookOver' }, now(), [note], notice) };
    };

  async function run(id: number, step: Step): Promise<AdvisorResult> {
    let error: Exclude<AdvisorResult, { ok: true }>['error'] | undefined;
    let changed = false;
    const record = await store.update(
      id,
      (saved) => {
        const result = step(saved);
        error = result.error;
        changed = result.decision !== null;
        return result.decision;
      },
      now(),
    );
    if (record === null) return { ok: false, error: 'not_found' };
    return error === undefined ? { ok: true, record, changed } : { ok: false, error, record };
  }

  return {
    takeOver: (id, by) => run(id, takeOverStep(by)),

    reply(id, text, by, origin) {
      const words = text.trim();
      if (words === '') return Promise.resolve({ ok: false, error: 'empty' });
      return run(id, (saved) => {
        const taken = saved.record.status === 'human' ? { decision: null } : takeOverStep(by)(saved);
        if (taken.error) return taken;
        const base: Decision = taken.decision ?? unchanged(saved);
        const message: OutboxDraft = {
          destination: { kind: 'client' },
          payload: { type: 'text', text: words, author: 'advisor', ...(origin && { origin }) },
        };
        const at = now();
        return {
          decision: {
            ...base,
            notes: [...(base.notes ?? []), { direction: 'out', author: 'advisor', text: words }],
            outbox: [...(base.outbox ?? []), message],
            // PJ is active: the idle hand-back starts again from now.
            deadlines: { remindAt: null, idleAt: at + settings.handoff.idleMs },
          },
        };
      });
    },

    release: (id, by) =>
      run(id, (saved) => {
        const refused = refuse(saved);
        if (refused) return refused;
        if (saved.record.status !== 'human' && saved.record.status !== 'waiting') return { decision: null, error: 'not_with_advisor' };
        const note: TranscriptNote = { direction: 'event', author: 'advisor', text: `${who(by)} handed back to the bot` };
        const notice = fanOut({ kind: 'released', by: who(by) }, settings.handoff);
        return { decision: decide(saved, { type: 'advisor.handedBack' }, now(), [note], notice) };
      }),

    close: (id, by) =>
      run(id, (saved) => {
        if (saved.record.status === 'closed') return { decision: null };
        // Closing would let the next text open a fresh conversation and greet someone who said stop.
        if (saved.record.status === 'opted_out') return { decision: null, error: 'opted_out' };
        const note: TranscriptNote = { direction: 'event', author: 'advisor', text: `${who(by)} closed the conversation` };
        const notice = fanOut({ kind: 'closed', by: who(by) }, settings.handoff);
        return { decision: decide(saved, { type: 'advisor.closed' }, now(), [note], notice) };
      }),

    // Like his replies, a note is PJ's own words, whichever surface he wrote it on.
    note: (id, text, _by) =>
      run(id, (saved) => ({
        decision: unchanged(saved, { notes: [{ direction: 'event', author: 'advisor', text: `note: ${text.trim()}` }] }),
      })),
  };
}
