import type { Side, Verdict } from './advise.js';
import type { Channel } from './channels.js';
import type { Language } from './languages.js';
import type { InboundMedia, MediaItem } from './media.js';
import type { Awaiting } from './reading.js';

export type { Channel } from './channels.js';

/** bot: the bot is talking; waiting: flagged for PJ; human: PJ has it; closed; opted_out: send nothing. */
export type Status = 'bot' | 'waiting' | 'human' | 'closed' | 'opted_out';

/** Why a conversation was flagged for PJ. */
export type FlagReason = 'human' | 'cost' | 'unclear' | 'both' | 'conflict' | 'followup';

export type Author = 'user' | 'bot' | 'advisor';

interface Answers {
  /** The user's own words that answered "what does your product do", or null. */
  product: string | null;
  /** The user's own words that answered "who is asking", or null. */
  asker: string | null;
}

/** The queryable summary of a conversation, derived from the machine snapshot on every change. */
export interface ConversationSummary {
  status: Status;
  awaiting: Awaiting | null;
  answers: Answers;
  verdict: Verdict | null;
  /** buyer: the verdict is the report to request from a vendor; client: the report to get. */
  side: Side;
  flags: FlagReason[];
  /**
   * The language the client writes in, which the bot answers in (PJ's surfaces stay English).
   * Always set by the machine; a record from a store or a test that predates it reads as English.
   */
  language?: Language;
}

export interface ConversationRecord extends ConversationSummary {
  /** Also the short number PJ uses on his phone (#42). */
  id: number;
  channel: Channel;
  /** E.164 number for SMS; "<team_id>:<user_id>" for Slack. */
  participant: string;
  /** Which conversation within the channel (see InboundMessage.conversationKey); replies are addressed by it. */
  conversationKey: string;
  /**
   * The state or province the provider places the sender's number in (Twilio's FromState, the
   * latest one given), for the client's local time; absent when no provider said.
   */
  region?: string;
  createdAt: string;
  updatedAt: string;
}

export interface TranscriptEntry {
  at: string;
  /** in: from the client; out: to the client; event: a takeover, hand back, close or internal note. */
  direction: 'in' | 'out' | 'event';
  author: Author;
  text: string;
  /** What the client attached to this text (an MMS picture); absent when nothing. */
  media?: MediaItem[];
}

export interface ConversationDetail extends ConversationRecord {
  transcript: TranscriptEntry[];
}

/**
 * What a channel control (a slash command, a button) asks for regardless of the words:
 * `restart` starts over, `human` asks for PJ.
 */
export type Command = 'restart' | 'human';

/** One message a user sent, as a channel adapter hands it over. */
export interface InboundMessage {
  channel: Channel;
  /** Who sent it: E.164 for SMS, "<team_id>:<user_id>" for Slack. */
  participant: string;
  /**
   * Which conversation it belongs to within the channel: the phone number for SMS, team and user
   * for a Slack DM, team, channel and thread for a Slack thread.
   */
  conversationKey: string;
  /** The provider that assigned `externalId` ("twilio", "slack"); together they dedupe retries. */
  provider: string;
  externalId: string;
  text: string;
  /** Epoch milliseconds when we received it. */
  receivedAt: number;
  /** Set when a control, not typed words, produced the message. */
  command?: Command;
  /**
   * Set when the message answers a specific question (a clicked choice button): if the
   * conversation has moved on since, the message is recorded and otherwise ignored.
   */
  answers?: Awaiting;
  /** Attachments (an MMS picture), in the provider's order; absent when none. */
  media?: InboundMedia[];
  /** The state or province of the sender's number, as the provider gives it (Twilio's FromState, e.g. CA). */
  region?: string;
  /**
   * The language the client was shown before writing (the web chat panel's, from the browser or
   * the conversation before): a conversation not started yet starts in it, until the client's
   * own words say otherwise. Absent on SMS and Slack.
   */
  languageHint?: Language;
}
