import type { Say } from './conversation-machine.js';
import type { ConversationRecord, InboundMessage } from './conversation.js';
import type { Language } from './languages.js';
import type { ReceiveResult } from './ports.js';

interface InboundResult extends ReceiveResult {
  /** What the bot said this time; empty for a duplicate (its replies went out the first time). */
  says: Say[];
  /** The language the conversation is in: what `says` are to be worded in. */
  language: Language;
}

/** Handles one user text end to end: stored, decided and saved before any reply is sent. */
export type HandleInbound = (message: InboundMessage) => Promise<InboundResult>;

/** Which of PJ's surfaces acted: shown in the transcript and in notices ("PJ (console)"). */
type Surface = 'slack' | 'sms' | 'console';

/**
 * Who acted as PJ: the surface, and where it has several people who may act as him (the Slack
 * desk), which one: shown in the transcript and in notices ("PJ (slack U0123ABCD)").
 */
export type Actor = Surface | { surface: Surface; user: string };

/** Why one of PJ's actions did nothing; every surface words it with core/render-refusal.ts. */
export type Refusal = 'not_found' | 'closed' | 'opted_out' | 'not_with_advisor' | 'empty';

export type AdvisorResult =
  | { ok: true; record: ConversationRecord; changed: boolean }
  | { ok: false; error: Refusal; record?: ConversationRecord };

/** What PJ can do to a conversation, from any of his surfaces. */
export interface AdvisorActions {
  /** Idempotent: taking over a conversation PJ already has changes nothing and says nothing. */
  takeOver(id: number, by: Actor): Promise<AdvisorResult>;
  /** Sends PJ's words to the client, taking the conversation over first if needed. */
  reply(id: number, text: string, by: Actor, origin?: { channel: string; ts: string }): Promise<AdvisorResult>;
  /** Hands back to the bot, which resumes where it was with one short line. */
  release(id: number, by: Actor): Promise<AdvisorResult>;
  close(id: number, by: Actor): Promise<AdvisorResult>;
  /**
   * Adds PJ's internal note ("note: ...") to the transcript without changing the conversation:
   * same snapshot, same summary, nothing sent, whatever its status.
   */
  note(id: number, text: string, by: Actor): Promise<AdvisorResult>;
}

/** What a web chat visitor does besides writing to the bot, as PJ's surfaces learn it. */
export interface WebVisitorActions {
  /**
   * Keeps the email or phone number the visitor left with conversation `id` (a transcript line)
   * and tells PJ on his surfaces, as the visitor's own message; false when there is no such id.
   */
  leaveContact(id: number, contact: string): Promise<boolean>;
  /** Notes in conversation `id`'s transcript that the visitor's panel showed PJ's reply. */
  sawAdvisorReply(id: number): Promise<void>;
}
