import type { BotSettings } from '../core/bot-settings.js';
import type { WebVisitorActions } from '../core/driving-ports.js';
import type { ConversationStore, TranscriptNote } from '../core/ports.js';
import { fillCopy } from '../core/render-reply.js';
import { fanOut, unchanged } from './apply-event.js';

/**
 * A web chat visitor's contact and their having seen PJ's reply, kept in the conversation's
 * transcript (so they go with it when it is erased or swept) and, for the contact, told to PJ
 * on his surfaces as the visitor's own message. Neither changes the conversation itself.
 */
export function createWebVisitorActions(
  store: ConversationStore,
  settings: BotSettings,
  now: () => number,
): WebVisitorActions {
  const { flow, advisor } = settings;
  const note = (text: string): TranscriptNote => ({ direction: 'event', author: 'user', text });

  return {
    async leaveContact(id, contact) {
      const notice = { kind: 'clientMessage', text: fillCopy(flow.web.contactNotice, advisor, { contact }) } as const;
      const updated = await store.update(
        id,
        (saved) => ({
          decision: unchanged(saved, {
            notes: [note(fillCopy(flow.web.contactNote, advisor, { contact }))],
            outbox: fanOut(notice, settings.handoff),
          }),
          result: null,
        }),
        now(),
      );
      return updated !== null;
    },

    async sawAdvisorReply(id) {
      await store.update(
        id,
        (saved) => ({
          decision: unchanged(saved, { notes: [note(fillCopy(flow.web.seenNote, advisor))] }),
          result: null,
        }),
        now(),
      );
    },
  };
}
