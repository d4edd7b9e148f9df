import type { BotSettings } from '../core/bot-settings.js';
import type { HandleInbound } from '../core/driving-ports.js';
import type { ConversationStore } from '../core/ports.js';
import { decideInbound } from './decide-inbound.js';
import { createKeyedQueue } from './keyed-queue.js';

export function createInboundHandler(store: ConversationStore, settings: BotSettings): HandleInbound {
  const queue = createKeyedQueue();
  return (message) =>
    queue.run(`${message.channel}:${message.conversationKey}`, async () => {
      const { decision, ...result } = await store.receive(message, (saved) => decideInbound(settings, message, saved));
      // A duplicate has no decision: its replies went out the first time, and nothing is said now.
      return { ...result, says: decision?.says ?? [] };
    });
}
