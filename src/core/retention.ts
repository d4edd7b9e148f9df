import type { ConversationRecord, TranscriptEntry } from './conversation.js';
import type { OutboxItem } from './ports.js';

/** Epoch ms before which the retention sweep removes things. */
export interface RetentionCutoffs {
  /** Closed and opted-out conversations last updated before this go, with everything about them. */
  conversationsBefore: number;
  /** Processed inbound ids, PJ's command log and sent or failed outbox rows older than this go. */
  logsBefore: number;
}

/** How many rows of each kind were removed. */
export interface RemovedCounts {
  conversations: number;
  /** Transcript lines (what the client attached to them goes with them). */
  messages: number;
  /** Inbound message ids kept to answer a provider's retry once (dedupe). */
  processedInbound: number;
  /** PJ's own commands and thread replies, kept to run each once. */
  advisorMessages: number;
  outbox: number;
  deskThreads: number;
}

/** A message the bot posted in PJ's Slack desk: a thread header or a notice in the thread. */
export interface DeskMessage {
  channel: string;
  ts: string;
}

/** Everything the bot keeps about one conversation, for a client who asks (GET .../export). */
export interface ConversationExport {
  conversation: ConversationRecord;
  transcript: TranscriptEntry[];
  /** Its outbox rows, queued and sent: texts to the client and notices to PJ about it. */
  outbox: OutboxItem[];
  /** Its thread in PJ's Slack desk, if one was opened. */
  deskThread: DeskMessage | null;
}

/** What erasing one conversation removed from the database. */
export interface ErasedConversation {
  removed: RemovedCounts;
  /**
   * The bot's own messages about it in PJ's Slack desk (the thread header, then the notices it
   * posted there), for the caller to delete in Slack: the database no longer knows them.
   */
  deskMessages: DeskMessage[];
  /** The sender's number stays in the opt-out list (and nothing else about them) when they opted out. */
  optOutKept: boolean;
}

/** What an erasure did, in the database and in Slack. */
interface ErasureResult extends ErasedConversation {
  desk: {
    /** Deleted in Slack (or already gone). */
    deleted: number;
    /** Left in Slack: the API refused, or Slack is off; each is logged. */
    failed: number;
  };
}

/** Erases a conversation at the client's request; null when there is no such conversation. */
export type EraseConversation = (id: number) => Promise<ErasureResult | null>;

/** Deletes one of the bot's messages in PJ's Slack desk; resolves when it is deleted or already gone. */
export type DeleteDeskMessage = (message: DeskMessage) => Promise<void>;
