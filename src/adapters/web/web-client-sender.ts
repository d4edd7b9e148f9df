import { DeliveryError } from '../../core/delivery-error.js';
import type { ClientSender, WebChatStore } from '../../core/ports.js';
import type { Wakeups } from './web-events-stream.js';

/**
 * The outbox's way to a web chat visitor: the text is stored as a line of their session's
 * history, which every instance streams to their panel (GET /web/events). Stored is delivered;
 * the provider id is `web:<line id>`.
 */
export function createWebClientSender(
  store: Pick<WebChatStore, 'appendWebEvents'>,
  wakeups: Wakeups,
  now: () => number,
): ClientSender {
  return {
    async send(conversation, text, from = 'bot') {
      const session = conversation.conversationKey;
      let stored;
      try {
        stored = await store.appendWebEvents(
          session,
          conversation.id,
          [{ from, line: { text }, messageId: null }],
          now(),
        );
      } catch (error) {
        // Not stored, so not delivered: the outbox tries again.
        throw new DeliveryError(`storing a web chat line: ${(error as Error).message}`, {
          retryable: true,
          code: 'store',
          cause: error,
        });
      }
      const line = stored[0];
      if (line === undefined)
        throw new DeliveryError('the web chat line was not stored', { retryable: true, code: 'store' });
      wakeups.wake(session);
      return `web:${line.id}`;
    },
  };
}
