import type { BotSettings } from '../core/bot-settings.js';
import type { HandleInbound } from '../core/driving-ports.js';
import type { ConversationStore, Retention } from '../core/ports.js';
import { decideInbound } from './decide-inbound.js';
import { createKeyedQueue } from './keyed-queue.js';

export function createInboundHandler(
  store: ConversationStore & Pick<Retention, 'isOptedOut'>,
  settings: BotSettings,
): HandleInbound {
  const queue = createKeyedQueue();
  return (message) =>
    queue.run(`${message.channel}:${message.conversationKey}`, async () => {
      // NOTE: read before the transaction, it only matters when the sender has no open conversation;
      // one that opts out or back in meanwhile has one by then, and decide reads its saved state instead.
      const optedOut = await store.isOptedOut(message.channel, message.participant);
      const { decision, ...result } = await store.receive(message, (saved) =>
        decideInbound(settings, message, saved, optedOut),
      );
      // A duplicate has no decision: its replies went out the first time, and nothing is said now.
      return { ...result, says: decision?.says ?? [], language: decision?.language ?? 'en' };
    });
}
