import type {
  Channel,
  ConversationDetail,
  ConversationRecord,
  ConversationSummary,
  InboundMessage,
  Status,
} from './conversation.js';

/** What the store hands a decision: the sender's open conversation as last saved. */
export interface SavedConversation {
  id: number;
  machineVersion: number;
  /** The persisted xstate snapshot, as parsed JSON. */
  snapshot: unknown;
}

/** Everything one inbound message changes, computed purely from the saved state. */
export interface Decision {
  machineVersion: number;
  snapshot: unknown;
  summary: ConversationSummary;
  /** Texts to send back to the user, in order. Empty: stay silent. */
  replies: string[];
}

export type Decide = (saved: SavedConversation | null) => Decision;

export interface ReceiveResult {
  conversationId: number;
  replies: string[];
  /** The message id was seen before: nothing changed and `replies` are the ones sent then. */
  duplicate: boolean;
}

export interface ConversationFilter {
  channel?: Channel;
  participant?: string;
  status?: Status;
}

/** Durable conversations, transcripts and processed provider message ids. */
export interface ConversationStore {
  /**
   * Atomically: records `message` unless its (provider, externalId) was seen before, loads the
   * latest conversation that is not closed for its (channel, conversationKey) (null if none),
   * applies `decide`, saves the result and appends the inbound text and the replies to the
   * transcript. A new conversation takes the message's participant as its own; later messages
   * from other senders with the same key join it. A duplicate changes nothing and returns the
   * replies recorded the first time.
   */
  receive(message: InboundMessage, decide: Decide): Promise<ReceiveResult>;
  /** Newest first. */
  list(filter: ConversationFilter): Promise<ConversationRecord[]>;
  get(id: number): Promise<ConversationDetail | null>;
  /** The latest conversation that is not closed for (channel, conversationKey), or null if none. */
  findOpen(channel: Channel, conversationKey: string): Promise<ConversationRecord | null>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
