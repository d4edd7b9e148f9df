import type { BotSettings, HandoffSettings } from '../core/bot-settings.js';
import type { ConversationEvent, Notify, Say } from '../core/conversation-machine.js';
import type { ConversationSummary } from '../core/conversation.js';
import type { AdvisorNotice, Deadlines, Decision, OutboxDraft, SavedForUpdate, TranscriptNote } from '../core/ports.js';
import { persist, stepConversation, type Snapshot } from '../core/step-conversation.js';
import { summarizeConversation } from '../core/summarize-conversation.js';
import type { VerdictBasis } from '../core/pipeline.js';
import { changedVerdictBasis } from '../core/verdict-basis.js';

interface Applied {
  next: Snapshot;
  says: Say[];
  summary: ConversationSummary;
  /** Notices for PJ's surfaces, already fanned out as outbox drafts. */
  notices: OutboxDraft[];
  /** Set when the status changed: timers restart from the new status. */
  deadlines?: Deadlines;
  /** Set when the verdict's reason or concepts changed: kept with the rules version that produced it. */
  verdictBasis?: VerdictBasis | null;
}

/**
 * The Decision that saves an applied event: its snapshot and summary, what else the caller adds
 * (replies, transcript notes, messages), PJ's notices between `before` and `after` in the outbox,
 * and the timers restarted by a status change unless the caller sets them.
 */
export function decisionOf(
  applied: Applied,
  extra: {
    replies?: string[];
    notes?: TranscriptNote[];
    before?: OutboxDraft[];
    after?: OutboxDraft[];
    deadlines?: Deadlines;
  } = {},
): Decision {
  const deadlines = extra.deadlines ?? applied.deadlines;
  return {
    ...persist(applied.next),
    summary: applied.summary,
    replies: extra.replies ?? [],
    notes: extra.notes ?? [],
    outbox: [...(extra.before ?? []), ...applied.notices, ...(extra.after ?? [])],
    ...(deadlines && { deadlines }),
    ...(applied.verdictBasis !== undefined && { verdictBasis: applied.verdictBasis }),
  };
}

/** One notice to each of PJ's surfaces that wants it. His phone gets only what needs him. */
export function fanOut(notice: AdvisorNotice, handoff: HandoffSettings): OutboxDraft[] {
  const drafts: OutboxDraft[] = [];
  if (handoff.desk) drafts.push({ destination: { kind: 'desk' }, payload: { type: 'notice', notice } });
  const forPhone = notice.kind !== 'tookOver' && notice.kind !== 'released' && notice.kind !== 'closed';
  if (handoff.notifySms !== null && forPhone) {
    drafts.push({ destination: { kind: 'advisorSms', to: handoff.notifySms }, payload: { type: 'notice', notice } });
  }
  return drafts;
}

/** PJ is in a conversation once it was flagged for him, or while it waits for him or is his. */
export function involvesAdvisor(summary: ConversationSummary): boolean {
  return summary.flags.length > 0 || summary.status === 'waiting' || summary.status === 'human';
}

function noticeOf(notify: Notify, next: Snapshot, involved: boolean): AdvisorNotice | null {
  if (notify.kind === 'flagged') return { kind: 'flagged', reasons: [...next.context.flags] };
  if (notify.kind === 'reminder') return { kind: 'reminder' };
  // An opt-out matters to PJ only in a conversation he was asked into.
  return involved ? { kind: 'optedOut' } : null;
}

function deadlinesAfter(
  before: ConversationSummary,
  after: ConversationSummary,
  now: number,
  handoff: HandoffSettings,
): Deadlines | undefined {
  if (before.status === after.status) return undefined;
  return {
    remindAt: after.status === 'waiting' ? now + handoff.remindMs : null,
    idleAt: after.status === 'human' ? now + handoff.idleMs : null,
  };
}

/** Applies one event purely: the next snapshot, what the bot says, and what PJ must hear. */
export function applyEvent(settings: BotSettings, snapshot: Snapshot, event: ConversationEvent, now: number): Applied {
  const before = summarizeConversation(snapshot);
  const { next, says, notifies } = stepConversation(snapshot, event);
  const summary = summarizeConversation(next);
  const notices = notifies
    .map((notify) => noticeOf(notify, next, involvesAdvisor(before)))
    .filter((n): n is AdvisorNotice => n !== null)
    .flatMap((n) => fanOut(n, settings.handoff));
  const deadlines = deadlinesAfter(before, summary, now, settings.handoff);
  const verdictBasis = changedVerdictBasis(snapshot.context, next.context, settings.rulesVersion ?? null);
  return {
    next,
    says,
    summary,
    notices,
    ...(deadlines && { deadlines }),
    ...(verdictBasis !== undefined && { verdictBasis }),
  };
}

/** A decision that changes nothing but what `extra` adds: the stored snapshot passes through as it is. */
export function unchanged(saved: SavedForUpdate, extra: Partial<Decision> = {}): Decision {
  const { status, awaiting, answers, verdict, side, flags, language } = saved.record;
  return {
    machineVersion: saved.machineVersion,
    snapshot: saved.snapshot,
    summary: { status, awaiting, answers, verdict, side, flags, ...(language !== undefined && { language }) },
    replies: [],
    ...extra,
  };
}

/** `decision`, also dropping the held texts `change` names (its notes are the caller's to place). */
export function withDropped(decision: Decision, change: { dropHeld: number[] }): Decision {
  const dropHeld = [...(decision.dropHeld ?? []), ...change.dropHeld];
  return dropHeld.length === 0 ? decision : { ...decision, dropHeld };
}
