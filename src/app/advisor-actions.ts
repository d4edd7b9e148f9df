import type { BotSettings } from '../core/bot-settings.js';
import type { ConversationEvent } from '../core/conversation-machine.js';
import type { Actor, AdvisorActions, AdvisorResult } from '../core/driving-ports.js';
import type { ConversationStore, Decision, OutboxDraft, SavedForUpdate, TranscriptNote } from '../core/ports.js';
import { flowIn } from '../core/localize-flow.js';
import { fillCopy, renderReply } from '../core/render-reply.js';
import { revive } from '../core/step-conversation.js';
import { applyEvent, decisionOf, fanOut, unchanged, withDropped } from './apply-event.js';
import { botTextToClient, dropHeldTexts } from './quiet-hours.js';

type Refusal = Exclude<AdvisorResult, { ok: true }>['error'];
/**
 * One action on the saved conversation at `at`: what to save (null: nothing), or why PJ may not.
 * Pure, so a store may run it again on fresh state; the clock is read once, before.
 */
type Step = (saved: SavedForUpdate, at: number) => { decision: Decision | null; error?: Refusal };

export function createAdvisorActions(
  store: ConversationStore,
  settings: BotSettings,
  now: () => number,
): AdvisorActions {
  const { flow, advisor } = settings;
  const who = (by: Actor) =>
    typeof by === 'string'
      ? fillCopy(flow.advisor.by, advisor, { surface: by })
      : fillCopy(flow.advisor.byUser, advisor, { ...by });
  /** A transcript line saying what PJ did. */
  const event = (template: string, vars: Record<string, string>): TranscriptNote => ({
    direction: 'event',
    author: 'advisor',
    text: fillCopy(template, advisor, vars),
  });

  /**
   * One machine event as a Decision: bot words to the client (held for their night, and taking the
   * place of texts held before), notes, notices, timers.
   */
  function decide(
    saved: SavedForUpdate,
    event: ConversationEvent,
    at: number,
    notes: TranscriptNote[],
    extra: OutboxDraft[],
  ): Decision {
    const applied = applyEvent(settings, revive(saved), event, at);
    const text = renderReply(
      applied.says,
      flowIn(settings, applied.next.context.language),
      settings.advisor,
      saved.record.channel,
    );
    const said = botTextToClient(settings, saved, text, at);
    return withDropped(
      decisionOf(applied, { notes: [...notes, ...said.notes], before: extra, after: said.outbox }),
      said,
    );
  }

  function refuse(saved: SavedForUpdate): ReturnType<Step> | null {
    if (saved.record.status === 'closed') return { decision: null, error: 'closed' };
    if (saved.record.status === 'opted_out') return { decision: null, error: 'opted_out' };
    return null;
  }

  const takeOverStep =
    (by: Actor): Step =>
    (saved, at) => {
      const refused = refuse(saved);
      if (refused) return refused;
      if (saved.record.status === 'human') return { decision: null };
      const notice = fanOut({ kind: 'tookOver', by: who(by) }, settings.handoff);
      const note = event(flow.transcript.tookOver, { by: who(by) });
      return { decision: decide(saved, { type: 'advisor.tookOver' }, at, [note], notice) };
    };

  async function run(id: number, step: Step): Promise<AdvisorResult> {
    const at = now();
    const updated = await store.update(
      id,
      (saved) => {
        const { decision, error } = step(saved, at);
        return { decision, result: { error, changed: decision !== null } };
      },
      at,
    );
    if (updated === null) return { ok: false, error: 'not_found' };
    const { record, result } = updated;
    return result.error === undefined
      ? { ok: true, record, changed: result.changed }
      : { ok: false, error: result.error, record };
  }

  return {
    takeOver: (id, by) => run(id, takeOverStep(by)),

    reply(id, text, by, origin) {
      const words = text.trim();
      if (words === '') return Promise.resolve({ ok: false, error: 'empty' });
      return run(id, (saved, at) => {
        const taken = saved.record.status === 'human' ? { decision: null } : takeOverStep(by)(saved, at);
        if (taken.error) return taken;
        const base: Decision = taken.decision ?? unchanged(saved);
        const message: OutboxDraft = {
          destination: { kind: 'client' },
          payload: { type: 'text', text: words, author: 'advisor', ...(origin && { origin }) },
        };
        // His words go when he sends them; a text of the bot's held for the client's night no longer fits.
        const dropped = dropHeldTexts(settings, saved, 'advisorReplied');
        return {
          decision: withDropped(
            {
              ...base,
              notes: [...(base.notes ?? []), ...dropped.notes, { direction: 'out', author: 'advisor', text: words }],
              outbox: [...(base.outbox ?? []), message],
              // PJ is active: the idle hand-back starts again from now.
              deadlines: { remindAt: null, idleAt: at + settings.handoff.idleMs },
            },
            dropped,
          ),
        };
      });
    },

    release: (id, by) =>
      run(id, (saved, at) => {
        const refused = refuse(saved);
        if (refused) return refused;
        if (saved.record.status !== 'human' && saved.record.status !== 'waiting')
          return { decision: null, error: 'not_with_advisor' };
        const note = event(flow.transcript.handedBack, { by: who(by) });
        const notice = fanOut({ kind: 'released', by: who(by) }, settings.handoff);
        return { decision: decide(saved, { type: 'advisor.handedBack' }, at, [note], notice) };
      }),

    close: (id, by) =>
      run(id, (saved, at) => {
        if (saved.record.status === 'closed') return { decision: null };
        // Closing would let the next text open a fresh conversation and greet someone who said stop.
        if (saved.record.status === 'opted_out') return { decision: null, error: 'opted_out' };
        const note = event(flow.transcript.closed, { by: who(by) });
        const notice = fanOut({ kind: 'closed', by: who(by) }, settings.handoff);
        const dropped = dropHeldTexts(settings, saved, 'closed');
        const closed = decide(saved, { type: 'advisor.closed' }, at, [note, ...dropped.notes], notice);
        return { decision: withDropped(closed, dropped) };
      }),

    // Like his replies, a note is PJ's own words, whichever surface he wrote it on.
    note: (id, text, _by) =>
      run(id, (saved) => ({
        decision: unchanged(saved, { notes: [event(flow.transcript.note, { text: text.trim() })] }),
      })),
  };
}
