import type { SnapshotFrom } from 'xstate';
import type { ConversationMachine } from './conversation-machine.js';
import type { ConversationSummary, Status } from './conversation.js';

type Snapshot = SnapshotFrom<ConversationMachine>;

/**
 * Where the snapshot is: its top state (open, closed, optedOut) and, when open, which child of
 * open. Read off the state value: snapshot.matches() converts its argument to a state value on
 * every call, and a text asks this a dozen times (issue 11).
 */
export function placeOf(snapshot: Snapshot): { top: string; open: string | null } {
  const { value } = snapshot;
  if (typeof value === 'string') return { top: value, open: null };
  const [top = '', child] = Object.entries(value)[0] ?? [];
  if (top !== 'open' || child === undefined) return { top, open: null };
  return { top, open: typeof child === 'string' ? child : (Object.keys(child)[0] ?? null) };
}

function statusOf(snapshot: Snapshot): Status {
  const { top, open } = placeOf(snapshot);
  if (open === 'waiting') return 'waiting';
  if (open === 'human') return 'human';
  if (top === 'closed') return 'closed';
  if (top === 'optedOut') return 'opted_out';
  return 'bot';
}

/** The queryable columns of a conversation, derived from its machine snapshot. */
export function summarizeConversation(snapshot: Snapshot): ConversationSummary {
  const { context } = snapshot;
  return {
    status: statusOf(snapshot),
    awaiting: context.awaiting,
    answers: { product: context.productText, asker: context.askerText },
    verdict: context.advice?.verdict ?? null,
    side: context.buyer ? 'buyer' : 'client',
    flags: [...context.flags],
    language: context.language,
  };
}
