import type { SnapshotFrom } from 'xstate';
import type { ConversationMachine } from './conversation-machine.js';
import type { ConversationSummary, Status } from './conversation.js';

type Snapshot = SnapshotFrom<ConversationMachine>;

function statusOf(snapshot: Snapshot): Status {
  if (snapshot.matches({ open: 'waiting' })) return 'waiting';
  if (snapshot.matches({ open: 'human' })) return 'human';
  if (snapshot.matches('closed')) return 'closed';
  if (snapshot.matches('optedOut')) return 'opted_out';
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
