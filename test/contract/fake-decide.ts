import type { ConversationSummary, InboundMessage } from '../../src/core/conversation.js';
import type {
  Deadlines,
  Decide,
  Decision,
  OutboxDraft,
  SavedConversation,
  TranscriptNote,
} from '../../src/core/ports.js';

// Test doubles for the conversation store contract; the real conversation machine is not needed
// to check what a store saves and hands back.

export const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
export const iso = (ms: number): string => new Date(ms).toISOString();

export const botSummary: ConversationSummary = {
  status: 'bot',
  awaiting: 'product',
  answers: { product: null, asker: null },
  verdict: null,
  side: 'client',
  flags: [],
  language: 'en',
};

/** An SMS from +15550000001 by default; the key follows the participant unless overridden. */
export function inbound(externalId: string, overrides: Partial<InboundMessage> = {}): InboundMessage {
  const participant = overrides.participant ?? '+15550000001';
  return {
    channel: 'sms',
    participant,
    conversationKey: participant,
    provider: 'twilio',
    externalId,
    text: `text ${externalId}`,
    receivedAt: T0,
    ...overrides,
  };
}

export interface FakeOptions {
  replies?: string[];
  summary?: Partial<ConversationSummary>;
  machineVersion?: number;
  notes?: TranscriptNote[];
  outbox?: OutboxDraft[];
  deadlines?: Deadlines;
}

function turnsOf(snapshot: unknown): number {
  if (typeof snapshot === 'object' && snapshot !== null && 'turns' in snapshot && typeof snapshot.turns === 'number') {
    return snapshot.turns;
  }
  throw new Error(`unexpected snapshot ${JSON.stringify(snapshot)}`);
}

function withoutVersion({ version: _version, ...saved }: SavedConversation): SavedConversation {
  return saved;
}

/**
 * A stand-in for the conversation machine: counts turns in the snapshot. `seen` and `decided`
 * record each run for the test to inspect; the decision itself depends only on `saved`.
 */
export function fakeDecide(options: FakeOptions = {}): {
  decide: Decide;
  seen: (SavedConversation | null)[];
  decided: Decision[];
} {
  const seen: (SavedConversation | null)[] = [];
  const decided: Decision[] = [];
  const decide: Decide = (saved) => {
    // A row version is the store's own (SQLite hands one, PostgreSQL does not): not in the contract.
    seen.push(saved && withoutVersion(saved));
    const turns = saved === null ? 1 : turnsOf(saved.snapshot) + 1;
    const decision: Decision = {
      machineVersion: options.machineVersion ?? 1,
      snapshot: { turns, nested: { list: [1, 'two', null] } },
      summary: { ...botSummary, ...options.summary },
      replies: options.replies ?? [`reply ${turns}`],
      ...(options.notes === undefined ? {} : { notes: options.notes }),
      ...(options.outbox === undefined ? {} : { outbox: options.outbox }),
      ...(options.deadlines === undefined ? {} : { deadlines: options.deadlines }),
    };
    decided.push(decision);
    return decision;
  };
  return { decide, seen, decided };
}

/** The turn count a fake snapshot holds, for update tests. */
export const fakeTurns = turnsOf;

/** An outbox text to the conversation's client. */
export const toClient = (text: string): OutboxDraft => ({
  destination: { kind: 'client' },
  payload: { type: 'text', text, author: 'bot' },
});
