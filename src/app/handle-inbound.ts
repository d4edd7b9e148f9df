import type { InboundMessage } from '../core/conversation.js';
import type { ConversationStore, ReceiveResult } from '../core/ports.js';
import { decideInbound, type BotSettings } from './decide-inbound.js';
import { createKeyedQueue } from './keyed-queue.js';

/** Handles one user text end to end: stored, decided and saved before any reply is sent. */
export type HandleInbound = (message: InboundMessage) => Promise<ReceiveResult>;

export function createInboundHandler(store: ConversationStore, settings: BotSettings): HandleInbound {
  const queue = createKeyedQueue();
  return (message) =>
    queue.run(`${message.channel}:${message.participant}`, () =>
      store.receive(message, (saved) => decideInbound(settings, message, saved)),
    );
}
