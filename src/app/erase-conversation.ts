import type { Logger } from '../core/logger.js';
import type { Retention } from '../core/ports.js';
import type { DeleteDeskMessage, EraseConversation } from '../core/retention.js';

interface EraseDeps {
  store: Pick<Retention, 'eraseConversation'>;
  /** Deletes the bot's messages in PJ's Slack desk, or says what to set when Slack is off. */
  deleteDeskMessage: DeleteDeskMessage | { off: string };
  log: Pick<Logger, 'info' | 'warn'>;
}

/**
 * Erases a conversation for a client who asks: the database first, in one transaction, then the
 * bot's own messages about it in PJ's Slack desk, best effort (a message Slack will not delete is
 * logged and counted, never retried). Every erasure is logged by conversation id, never by the
 * sender: the log must not keep what was erased.
 */
export function createConversationEraser(deps: EraseDeps): EraseConversation {
  const { store, deleteDeskMessage, log } = deps;
  return async (id) => {
    const erased = await store.eraseConversation(id);
    if (erased === null) return null;
    let deleted = 0;
    for (const message of erased.deskMessages) {
      if ('off' in deleteDeskMessage) {
        log.warn(
          { conversationId: id, ts: message.ts },
          `erasure: a desk message about it stays in Slack: ${deleteDeskMessage.off}`,
        );
        continue;
      }
      try {
        await deleteDeskMessage(message);
        deleted += 1;
      } catch (error) {
        log.warn(
          { conversationId: id, channel: message.channel, ts: message.ts, reason: (error as Error).message },
          'erasure: could not delete a desk message in Slack; delete it by hand (the bot can delete only its own messages)',
        );
      }
    }
    const desk = { deleted, failed: erased.deskMessages.length - deleted };
    log.info(
      { conversationId: id, removed: erased.removed, desk, optOutKept: erased.optOutKept },
      `erased conversation ${id} at the client's request` +
        (erased.optOutKept ? '; their opt-out is kept so they are never texted again' : ''),
    );
    return { ...erased, desk };
  };
}
