import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import {
  conversationMachine,
  MACHINE_VERSION,
  type ConversationEvent,
  type Say,
} from '../core/conversation-machine.js';
import type { InboundMessage } from '../core/conversation.js';
import type { Flow } from '../core/flow.js';
import { interpret } from '../core/interpret.js';
import type { Lexicon } from '../core/lexicon.js';
import type { Decision, SavedConversation } from '../core/ports.js';
import type { Reading } from '../core/reading.js';
import { renderReply, type Advisor } from '../core/render-reply.js';
import { summarizeConversation } from '../core/summarize-conversation.js';

export interface BotSettings {
  flow: Flow;
  lexicon: Lexicon;
  advisor: Advisor;
  /** true: the bot answers STOP/START/HELP itself; false: Twilio does and the bot stays silent. */
  botAnswersKeywords: boolean;
}

type Snapshot = SnapshotFrom<typeof conversationMachine>;

function revive(saved: SavedConversation | null): Snapshot {
  // An older machine's snapshot may not fit this machine: such a conversation starts over.
  if (saved === null || saved.machineVersion !== MACHINE_VERSION) return initialTransition(conversationMachine)[0];
  return conversationMachine.resolveState(saved.snapshot as Parameters<typeof conversationMachine.resolveState>[0]);
}

/**
 * Maps what a text means to the one event the conversation reacts to. Carrier keywords exist
 * only on SMS; `carrierAnswers` says Twilio already replied to them there.
 */
export function toEvent(reading: Reading, message: InboundMessage, carrierAnswers: boolean): ConversationEvent {
  const quiet = message.channel === 'sms' && carrierAnswers;
  if (message.command === 'restart') return { type: 'user.restarted' };
  if (message.command === 'human') return { type: 'user.askedForHuman' };
  switch (reading.intent) {
    case 'optOutKeyword':
    case 'optOut':
      if (message.channel === 'slack') return { type: 'user.ended' };
      return { type: 'user.optedOut', quiet: reading.intent === 'optOutKeyword' && quiet };
    case 'optInKeyword':
      return message.channel === 'sms' ? { type: 'user.optedIn', quiet } : { type: 'user.greeted' };
    case 'helpKeyword':
    case 'help':
      return { type: 'user.askedHelp', quiet: reading.intent === 'helpKeyword' && quiet };
    case 'restart':
      return { type: 'user.restarted' };
    case 'human':
      return { type: 'user.askedForHuman' };
    case 'cost':
      return { type: 'user.askedCost' };
    case 'greeting':
      return { type: 'user.greeted' };
    case 'answer':
      return {
        type: 'user.answered',
        text: message.text.trim(),
        product: reading.product,
        asker: reading.asker,
        international: reading.international,
      };
  }
}

function saysOf(actions: ReadonlyArray<{ type: string; params?: unknown }>): Say[] {
  // NOTE: the machine declares `say` with Say params, so its params are Say by construction.
  return actions.filter((a) => a.type === 'say').map((a) => a.params as Say);
}

/** A decision plus what the bot says, for channels that render more than text (Slack buttons). */
export interface InboundDecision extends Decision {
  says: Say[];
}

/** Applies one user text to the saved conversation: pure, so the store can run it in a transaction. */
export function decideInbound(
  settings: BotSettings,
  message: InboundMessage,
  saved: SavedConversation | null,
): InboundDecision {
  const snapshot = revive(saved);
  const { awaiting } = snapshot.context;
  // A choice clicked on an old question is kept in the transcript but changes nothing.
  const stale = message.answers !== undefined && message.answers !== awaiting;
  const reading = interpret(message.text, settings.lexicon, awaiting);
  const [next, actions] = stale
    ? [snapshot, []]
    : transition(conversationMachine, snapshot, toEvent(reading, message, !settings.botAnswersKeywords));
  const says = saysOf(actions);
  const reply = renderReply(says, settings.flow, settings.advisor, message.channel);
  return {
    machineVersion: MACHINE_VERSION,
    snapshot: conversationMachine.getPersistedSnapshot(next),
    summary: summarizeConversation(next),
    replies: reply === null ? [] : [reply],
    says,
  };
}
