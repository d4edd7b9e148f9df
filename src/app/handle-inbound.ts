import type { Say } from '../core/conversation-machine.js';
import type { InboundMessage } from '../core/conversation.js';
import type { ConversationStore, ReceiveResult } from '../core/ports.js';
import { decideInbound, type BotSettings } from './decide-inbound.js';
import { createKeyedQueue } from './keyed-queue.js';

export interface InboundResult extends ReceiveResult {
  /** What the bot said this time; empty for a duplicate (its replies went out the first time). */
  says: Say[];
}

/** Handles one user text end to end: stored, decided and saved before any reply is sent. */
export type HandleInbound = (message: InboundMessage) => Promise<InboundResult>;

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
