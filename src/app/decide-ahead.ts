import type { InboundMessage } from '../core/conversation.js';
import type { InboundPeek, SavedConversation } from '../core/ports.js';
import { startsOver } from '../core/step-conversation.js';
import type { InboundDecision } from './decide-inbound.js';

/**
 * decideInbound run somewhere else (another thread), on what a peek read: the decision, or null
 * when it could not be made there (a decide that needed the sender's kept opt-out, which the peek
 * did not read, or any failure). `optedOut` is null when the peek did not read it.
 */
export type DecideElsewhere = (
  message: InboundMessage,
  saved: SavedConversation | null,
  optedOut: boolean | null,
) => Promise<InboundDecision | null>;

/** A decision made ahead, and whether it is the one `receive`'s decide would make on what it is handed. */
export interface DecidedAhead {
  decision: InboundDecision;
  fits(saved: SavedConversation | null, optedOut: () => boolean): boolean;
}

/** Texts held for quiet hours as the decide sees them: which, and until when. */
const heldOf = (saved: SavedConversation): string => (saved.held ?? []).map((h) => `${h.id}@${h.notBefore}`).join();

/** The same saved conversation: same row at the same version, the same texts held. */
function sameSaved(now: SavedConversation | null, then: SavedConversation | null): boolean {
  if (now === null || then === null) return now === then;
  return (
    now.id === then.id && now.version !== undefined && now.version === then.version && heldOf(now) === heldOf(then)
  );
}

/**
 * Decides a text ahead of its transaction (issue 11): a peek reads what `receive` would hand the
 * decide, `elsewhere` decides on it while this thread goes on with other requests, and the result
 * is used in the transaction only if the decide there is handed the same state; otherwise (PJ
 * acted, a timer fired, a held text went out in between) the text is decided there as always.
 * decideInbound is a pure function of that state and the message, so either way the same decision
 * is saved (the decide-once contract, core/ports.ts). Null: nothing decided ahead (a duplicate,
 * or `elsewhere` could not).
 */
export function createDecideAhead(
  store: InboundPeek,
  elsewhere: DecideElsewhere,
): (message: InboundMessage) => Promise<DecidedAhead | null> {
  return async (message) => {
    const peeked = await store.peekInbound(message);
    if (peeked.duplicate) return null;
    const decision = await elsewhere(message, peeked.saved, peeked.optedOut);
    if (decision === null) return null;
    return {
      decision,
      // Where the conversation starts over (nothing saved, or an older machine's), the decide reads
      // the kept opt-out: the peek read it too, and it must still read the same.
      fits: (saved, optedOut) =>
        sameSaved(saved, peeked.saved) && (!startsOver(saved) || optedOut() === peeked.optedOut),
    };
  };
}
