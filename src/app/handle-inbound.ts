import type { BotSettings } from '../core/bot-settings.js';
import type { HandleInbound } from '../core/driving-ports.js';
import type { ConversationStore } from '../core/ports.js';
import { decideInbound } from './decide-inbound.js';
import { createKeyedQueue } from './keyed-queue.js';

export function createInboundHandler(store: ConversationStore, settings: BotSettings): HandleInbound {
  const queue = createKeyedQueue();
  return (message) =>
    queue.run(`${message.channel}:${message.conversationKey}`, async () => {
      // Whether the sender's opt-out is kept is read in the transaction, and only when it matters.
      const { decision, ...result } = await store.receive(message, (saved, optedOut) =>
        decideInbound(settings, message, saved, optedOut),
      );
      // A duplicate has no decision: its replies went out the first time, and nothing is said now.
      return { ...result, says: decision?.says ?? [], language: decision?.language ?? 'en' };
    });
}
