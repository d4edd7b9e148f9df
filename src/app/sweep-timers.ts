import type { BotSettings } from '../core/bot-settings.js';
import type { ConversationStore, Decided, SavedForUpdate, TranscriptNote } from '../core/ports.js';
import { flowIn } from '../core/localize-flow.js';
import { fillCopy, renderReply } from '../core/render-reply.js';
import { revive } from '../core/step-conversation.js';
import { applyEvent, decisionOf, fanOut, unchanged, withDropped } from './apply-event.js';
import { botTextToClient } from './quiet-hours.js';

interface Due {
  remindDue: boolean;
  idleDue: boolean;
}

/**
 * Which deadlines are due by the saved state itself, not by the listing: another instance's sweep
 * may have fired and cleared them between listDue and this update, and must not fire them again.
 */
function dueNow(saved: SavedForUpdate, now: number): Due {
  const { remindAt, idleAt } = saved.deadlines;
  return { remindDue: remindAt !== null && remindAt <= now, idleDue: idleAt !== null && idleAt <= now };
}

/** The due deadlines of one saved conversation as a decision; `result` says whether a timer fired. */
function fireDue(settings: BotSettings, saved: SavedForUpdate, now: number): Decided<boolean> {
  const due = dueNow(saved, now);
  if (!due.remindDue && !due.idleDue) return { decision: null, result: false };
  const { status } = saved.record;
  const event =
    due.idleDue && status === 'human'
      ? ({ type: 'timer.idleDue' } as const)
      : due.remindDue && status === 'waiting'
        ? ({ type: 'timer.remindDue', at: now } as const)
        : null;
  // Each deadline fires once; a status change sets fresh ones.
  const cleared = {
    remindAt: due.remindDue ? null : saved.deadlines.remindAt,
    idleAt: due.idleDue ? null : saved.deadlines.idleAt,
  };
  if (event === null) return { decision: unchanged(saved, { deadlines: cleared }), result: false };
  const applied = applyEvent(settings, revive(saved), event, now);
  const text = renderReply(
    applied.says,
    flowIn(settings, applied.next.context.language),
    settings.advisor,
    saved.record.channel,
  );
  const notes: TranscriptNote[] = [];
  const extra = [];
  if (event.type === 'timer.idleDue' && applied.summary.status !== 'human') {
    const { flow, advisor } = settings;
    const by = fillCopy(flow.advisor.idleBy, advisor, {
      minutes: String(Math.round(settings.handoff.idleMs / 60_000)),
    });
    notes.push({ direction: 'event', author: 'bot', text: fillCopy(flow.transcript.idleHandedBack, advisor, { by }) });
    extra.push(...fanOut({ kind: 'released', by }, settings.handoff));
  }
  // The holding text or the hand-back line waits for the client's daytime, in place of any held before.
  const said = botTextToClient(settings, saved, text, now);
  notes.push(...said.notes);
  const deadlines = applied.deadlines ?? cleared;
  return {
    decision: withDropped(decisionOf(applied, { notes, before: extra, after: said.outbox, deadlines }), said),
    result: true,
  };
}

/**
 * Fires the stored deadlines that are due: a conversation waiting too long gets one reminder to
 * PJ and one holding text to the client; one PJ left idle too long goes back to the bot.
 * Deadlines live in the database, so a restart or another instance fires them just the same.
 */
export async function sweepTimers(store: ConversationStore, settings: BotSettings, now: number): Promise<number> {
  let fired = 0;
  const failures: unknown[] = [];
  for (const due of await store.listDue(now)) {
    try {
      const updated = await store.update(due.id, (saved) => fireDue(settings, saved, now), now);
      if (updated?.result === true) fired += 1;
    } catch (error) {
      failures.push(error);
    }
  }
  // One broken conversation must not stop the others; the caller hears about it afterwards.
  if (failures.length > 0)
    throw new AggregateError(failures, `${failures.length} due conversation(s) could not be swept`);
  return fired;
}
