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

/** Maps what a text means to the one event the conversation reacts to. */
export function toEvent(reading: Reading, text: string, botAnswersKeywords: boolean): ConversationEvent {
  const quiet = !botAnswersKeywords;
  switch (reading.intent) {
    case 'optOutKeyword':
      return { type: 'user.optedOut', quiet };
    case 'optInKeyword':
      return { type: 'user.optedIn', quiet };
    case 'helpKeyword':
      return { type: 'user.askedHelp', quiet };
    case 'optOut':
      return { type: 'user.optedOut', quiet: false };
    case 'help':
      return { type: 'user.askedHelp', quiet: false };
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
        text,
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

/** Applies one user text to the saved conversation: pure, so the store can run it in a transaction. */
export function decideInbound(settings: BotSettings, message: InboundMessage, saved: SavedConversation | null): Decision {
  const snapshot = revive(saved);
  const reading = interpret(message.text, settings.lexicon, snapshot.context.awaiting);
  const event = toEvent(reading, message.text.trim(), settings.botAnswersKeywords);
  const [next, actions] = transition(conversationMachine, snapshot, event);
  const reply = renderReply(saysOf(actions), settings.flow, settings.advisor);
  return {
    machineVersion: MACHINE_VERSION,
    snapshot: conversationMachine.getPersistedSnapshot(next),
    summary: summarizeConversation(next),
    replies: reply === null ? [] : [reply],
  };
}
