import type { BotSettings } from '../core/bot-settings.js';
import { maskParticipant } from '../core/mask-participant.js';
import type { ConversationStore, TranscriptNote } from '../core/ports.js';
import { fillCopy } from '../core/render-reply.js';
import { unchanged } from './apply-event.js';

/** A text from PJ's number that ran nothing for want of the right PIN: what it asked for, never its words. */
export interface RefusedCommand {
  /** The conversation it named, if any. */
  conversationId: number | null;
  /** The command as PJ would type it ("42 <text>", "list"): flow.advisor.commands.asked. */
  command: string;
}

interface RefusedCommandDeps {
  store: Pick<ConversationStore, 'update'>;
  settings: Pick<BotSettings, 'flow' | 'advisor'>;
  /** PJ's number (ADVISOR_NOTIFY_SMS), shown masked. */
  from: string;
  now: () => number;
  /** Posts a line in PJ's Slack desk channel, best effort; null when the desk is off. */
  alertDesk: ((text: string) => Promise<void>) | null;
}

/**
 * Shows PJ a command from his number that ran nothing: a line on his Slack desk, and a transcript
 * note (the console shows it) on the conversation it named. His phone is not told: a reply there
 * would be a hint to whoever holds or spoofs the number.
 */
export function createRefusedCommandReport(deps: RefusedCommandDeps): (refused: RefusedCommand) => Promise<void> {
  const { flow, advisor } = deps.settings;
  return async (refused) => {
    if (deps.alertDesk !== null) {
      await deps.alertDesk(
        fillCopy(flow.advisor.pinRefused, advisor, { sender: maskParticipant(deps.from), command: refused.command }),
      );
    }
    if (refused.conversationId === null) return;
    const note: TranscriptNote = {
      direction: 'event',
      author: 'bot',
      text: fillCopy(flow.transcript.pinRefused, advisor, { command: refused.command }),
    };
    await deps.store.update(
      refused.conversationId,
      (saved) => ({ decision: unchanged(saved, { notes: [note] }), result: null }),
      deps.now(),
    );
  };
}
