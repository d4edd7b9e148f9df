import type { BotSettings } from '../core/bot-settings.js';
import type { Say } from '../core/conversation-machine.js';
import type { HandleInbound } from '../core/driving-ports.js';
import type { ConversationStore } from '../core/ports.js';
import { decideInbound } from './decide-inbound.js';
import { createKeyedQueue } from './keyed-queue.js';

export function createInboundHandler(store: ConversationStore, settings: BotSettings): HandleInbound {
  const queue = createKeyedQueue();
  return (message) =>
    queue.run(`${message.channel}:${message.conversationKey}`, async () => {
      let says: Say[] = [];
      const result = await store.receive(message, (saved) => {
        const decision = decideInbound(settings, message, saved);
        says = decision.says;
        return decision;
      });
      return { ...result, says: result.duplicate ? [] : says };
    });
}
