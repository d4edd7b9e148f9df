import type { BotSettings } from '../core/bot-settings.js';
import type { HandleInbound } from '../core/driving-ports.js';
import type { ConversationStore } from '../core/ports.js';
import type { DecidedAhead } from './decide-ahead.js';
import { decideInbound } from './decide-inbound.js';
import { createKeyedQueue } from './keyed-queue.js';

/**
 * Texts from one sender in order, each stored and decided in one `receive`. With `ahead`
 * (decide-ahead.ts), a text is first decided elsewhere on what a peek read, and that decision is
 * saved when the transaction finds the same state; else it is decided there.
 */
export function createInboundHandler(
  store: ConversationStore,
  settings: BotSettings,
  ahead?: (message: Parameters<HandleInbound>[0]) => Promise<DecidedAhead | null>,
): HandleInbound {
  const queue = createKeyedQueue();
  return (message) =>
    queue.run(`${message.channel}:${message.conversationKey}`, async () => {
      const early = ahead === undefined ? null : await ahead(message);
      // Whether the sender's opt-out is kept is read in the transaction, and only when it matters.
      const { decision, ...result } = await store.receive(message, (saved, optedOut = () => false) =>
        early?.fits(saved, optedOut) === true ? early.decision : decideInbound(settings, message, saved, optedOut),
      );
      // A duplicate has no decision: its replies went out the first time, and nothing is said now.
      return { ...result, says: decision?.says ?? [], language: decision?.language ?? 'en' };
    });
}
