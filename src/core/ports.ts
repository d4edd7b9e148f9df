import type {
  Author,
  Channel,
  ConversationDetail,
  ConversationRecord,
  ConversationSummary,
  FlagReason,
  InboundMessage,
  Status,
} from './conversation.js';
import type { InboundMedia, MediaDownload, MediaFile } from './media.js';
import type { PipelineRow, ReviewDraft, VerdictBasis, VerdictReview } from './pipeline.js';
import type { ConversationExport, ErasedConversation, RemovedCounts, RetentionCutoffs } from './retention.js';
import type { WebEvent, WebEventDraft } from './web-chat.js';

/** A transcript line beyond an inbound text and the bot's direct replies. */
export interface TranscriptNote {
  direction: 'in' | 'out' | 'event';
  author: Author;
  text: string;
}

/** Where an outbox message goes. */
export type OutboxDestination =
  /** The conversation's own client, on its channel (SMS number, Slack DM or thread). */
  | { kind: 'client' }
  /** PJ's phone (ADVISOR_NOTIFY_SMS). */
  | { kind: 'advisorSms'; to: string }
  /** The conversation's thread in the Slack handoff channel (SLACK_HANDOFF_CHANNEL). */
  | { kind: 'desk' }
  /**
   * PJ's daily digest (a text payload), about no conversation: by SMS to his number, or to the
   * Slack handoff channel.
   */
  | { kind: 'digest'; via: 'sms' | 'slack'; to: string };

/** Something PJ is told about a conversation; each surface words it its own way. */
export type AdvisorNotice =
  | { kind: 'flagged'; reasons: FlagReason[] }
  | { kind: 'reminder' }
  /** What the client wrote, with the links of what they attached (absent: nothing). */
  | { kind: 'clientMessage'; text: string; media?: InboundMedia[] }
  | { kind: 'optedOut' }
  | { kind: 'tookOver'; by: string }
  | { kind: 'released'; by: string }
  | { kind: 'closed'; by: string }
  /** A message to the client was not delivered, or may not have been (a crash mid-send). */
  | { kind: 'deliveryProblem'; problem: 'failed' | 'unknown' | 'optedOut'; text: string; detail: string }
  /**
   * An earlier notice to PJ `via` one of his surfaces may not have reached him (the bot stopped
   * mid-send); `text` is that notice as he would have read it.
   */
  | { kind: 'noticeLost'; via: 'sms' | 'desk'; text: string };

export type OutboxPayload =
  | {
      type: 'text';
      text: string;
      author: 'bot' | 'advisor';
      /** PJ's Slack message this relays, to react on once delivered. */
      origin?: { channel: string; ts: string };
    }
  | { type: 'notice'; notice: AdvisorNotice };

export interface OutboxDraft {
  destination: OutboxDestination;
  payload: OutboxPayload;
  /**
   * Held for the client's quiet hours: a text the bot started (a holding text, a hand-back line)
   * that is not sent before this (epoch ms). A held text never holds up later messages to the
   * client, and a later decision may drop it (`Decision.dropHeld`). Absent: due at once. Only a
   * store with HeldTextStore is handed one.
   */
  notBefore?: number;
}

/** A text to the client still held for their quiet hours, as a decision sees it. */
export interface HeldText {
  /** The outbox item's id. */
  id: number;
  text: string;
  notBefore: number;
}

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'unknown';

export interface OutboxItem extends OutboxDraft {
  id: number;
  /** 0 for PJ's daily digest, which is about no conversation (ids start at 1). */
  conversationId: number;
  status: OutboxStatus;
  attempts: number;
  providerId: string | null;
  /** The provider's last delivery status (Twilio status callbacks), if any. */
  deliveryStatus: string | null;
  error: string | null;
  createdAt: number;
}

/**
 * Delivers a text to a conversation's client, on the conversation's channel (a text to the
 * number, a post in the Slack DM or thread, a line in the web chat's history); resolves to the
 * provider's message id. `from` says whose words they are, the bot's if not given (the web chat
 * shows PJ's as his).
 * Throws DeliveryError.
 */
export interface ClientSender {
  send(conversation: ConversationRecord, text: string, from?: 'bot' | 'advisor'): Promise<string>;
}

/** Why something cannot be sent at all, naming what to set to turn it on. */
export interface SendingOff {
  off: string;
}

/** Sends PJ's digest somewhere (his phone, the handoff channel); resolves to the provider's id. Throws DeliveryError. */
export interface DigestSender {
  send(text: string): Promise<string>;
}

/** Every channel's way to its clients: the outbox delivers by the conversation's channel, nothing else. */
export type ClientSenders = { readonly [C in Channel]: ClientSender | SendingOff };

/** Tells PJ about a conversation on one of his surfaces; resolves to the provider's message id. Throws DeliveryError. */
export interface AdvisorNotifier {
  notify(notice: AdvisorNotice, conversation: ConversationRecord): Promise<string>;
}

/** PJ's desk (the Slack handoff channel): a thread per conversation, where he also writes his replies. */
export interface AdvisorDesk extends AdvisorNotifier {
  /** Marks PJ's message `origin` on the desk as delivered to the client. */
  markDelivered(origin: { channel: string; ts: string }): Promise<void>;
}

/** When the conversation's stored timers fire, in epoch ms; null: not set. */
export interface Deadlines {
  /** Waiting for PJ too long: one reminder to him, one holding text to the client. */
  remindAt: number | null;
  /** PJ silent too long while he has it: hand back to the bot. */
  idleAt: number | null;
}

/** What the store hands a decision: the sender's open conversation as last saved. */
export interface SavedConversation {
  id: number;
  machineVersion: number;
  /** The persisted xstate snapshot, as parsed JSON. */
  snapshot: unknown;
  /**
   * Its texts to the client still held for their quiet hours (pending, with `notBefore`), oldest
   * first; a store may leave it out when there are none.
   */
  held?: HeldText[];
  /**
   * The row's version, when the store keeps one: it changes with every save, so a caller that
   * decided on an earlier read can tell whether that read is still what is saved (InboundPeek).
   */
  version?: number;
}

/** Everything one inbound message changes, computed purely from the saved state. */
export interface Decision {
  machineVersion: number;
  snapshot: unknown;
  summary: ConversationSummary;
  /** Texts to send back to the user, in order. Empty: stay silent. */
  replies: string[];
  /** Transcript lines after the inbound text and the replies. */
  notes?: TranscriptNote[];
  /** Messages to send later through the outbox, in order, written in the same transaction. */
  outbox?: OutboxDraft[];
  /** New timer deadlines; undefined leaves them as they are. */
  deadlines?: Deadlines;
  /** Why the verdict is what it is, when this decision changed it (null: no verdict now); undefined keeps the stored one. */
  verdictBasis?: VerdictBasis | null;
  /**
   * Held texts (ids from the saved `held`) to remove unsent, in the same transaction: the
   * conversation moved on and they no longer fit. One already on its way is left to go.
   */
  dropHeld?: number[];
}

/** What an update sees: the saved state plus its record and deadlines. */
export interface SavedForUpdate extends SavedConversation {
  record: ConversationRecord;
  deadlines: Deadlines;
}

/**
 * Turns the sender's saved conversation (null: none yet) and the message the caller holds into
 * what to save. A subtype may carry more for the caller (what the bot says, for Slack buttons):
 * `receive` hands back the decision it saved. See ConversationStore for the decide-once contract.
 * `optedOut` tells whether the sender's opt-out is kept (Retention), read in the same transaction;
 * it matters only when the conversation starts over, so a decide calls it only then. A store always
 * passes it; a test calling a decide by hand may leave it out (not opted out).
 */
export type Decide<D extends Decision = Decision> = (saved: SavedConversation | null, optedOut?: () => boolean) => D;

export interface ReceiveResult {
  conversationId: number;
  replies: string[];
  /** The message id was seen before: nothing changed and `replies` are the ones sent then. */
  duplicate: boolean;
}

/** What `receive` did, with the decision it saved; a duplicate saved none, so it has none. */
export type Received<D extends Decision = Decision> = ReceiveResult &
  ({ duplicate: false; decision: D } | { duplicate: true; decision: null });

/** What an update's decide hands back: the change to save (null: none) and what the caller learns from it. */
export interface Decided<T> {
  decision: Decision | null;
  result: T;
}

/** Decides an update (an advisor action, a timer) from the saved state; see ConversationStore for the contract. */
export type DecideUpdate<T> = (saved: SavedForUpdate) => Decided<T>;

/** What `update` did: the record after it, and the result of the decide whose decision was saved. */
export interface Updated<T> {
  record: ConversationRecord;
  result: T;
}

export interface ConversationFilter {
  channel?: Channel;
  participant?: string;
  status?: Status;
  /** Only conversations changed at or after this time (epoch ms): what changed since a poll. */
  updatedSince?: number;
  /** Only conversations created at or after this time (epoch ms): a period's first day. */
  createdFrom?: number;
  /** Only conversations created before this time (epoch ms): the day after a period's last. */
  createdBefore?: number;
}

/** A place in the newest-first order of `list`: a conversation's last change, then its id. */
export interface ListCursor {
  updatedAt: number;
  id: number;
}

/** One page of `list`: at most `limit` conversations, all after `before` in newest-first order. */
interface ListPage {
  limit: number;
  before?: ListCursor;
}

/**
 * Durable conversations, their transcripts and the provider message ids already handled (inbound
 * dedupe).
 *
 * The decide-once contract, for `receive` and `update`: `decide` is a pure function of the stored
 * state it is handed and the event the caller holds (the message, PJ's action, the timer). It
 * reads nothing else that can change and sets nothing outside itself; whatever the caller needs
 * from it comes back through the store call's return value (the saved decision, or `result`).
 * A store may therefore run `decide` more than once: one that must retry a transaction (a
 * serialization failure, a lost row lock) simply runs it again on fresh state, discards what
 * the failed attempt returned, and returns what the committed run decided. Callers must not
 * count on a single run, and the contract tests run the use cases against a store that decides
 * twice to prove it.
 */
export interface ConversationStore {
  /**
   * Atomically: records `message` unless its (provider, externalId) was seen before, loads the
   * latest conversation that is not closed for its (channel, conversationKey) (null if none),
   * applies `decide`, saves the result and appends the inbound text (with the links of its
   * media, in order) and the replies to the transcript, and returns the decision saved. A new
   * conversation takes the message's participant as its own; later messages from other senders
   * with the same key join it. A duplicate runs no `decide`, changes nothing and returns the
   * replies recorded the first time.
   */
  receive<D extends Decision>(message: InboundMessage, decide: Decide<D>): Promise<Received<D>>;
  /**
   * Newest first (the last change, then the id, both descending), all of them or one `page`; a
   * page that starts after a cursor neither repeats nor skips a conversation that did not change.
   */
  list(filter: ConversationFilter, page?: ListPage): Promise<ConversationRecord[]>;
  get(id: number): Promise<ConversationDetail | null>;
  /** The latest conversation that is not closed for (channel, conversationKey), or null if none. */
  findOpen(channel: Channel, conversationKey: string): Promise<ConversationRecord | null>;
  /**
   * Atomically applies `decide` to conversation `id`, whatever its status (an advisor action, a
   * timer): saves its decision (null changes nothing) and returns the record after with decide's
   * `result`, or null, without calling `decide`, if there is no such id.
   */
  update<T>(id: number, decide: DecideUpdate<T>, now: number): Promise<Updated<T> | null>;
  /** Conversations with a deadline at or before `now`. */
  listDue(now: number): Promise<Array<{ id: number; remindDue: boolean; idleDue: boolean }>>;
}

/**
 * What `receive` would hand a decide for `message` if it ran now: read outside any transaction,
 * so that the decision can be made ahead, elsewhere (another thread), and then used by `receive`
 * only if its decide is handed the same saved state (same row version and held texts). `optedOut`
 * is read only where a decide needs it (the conversation starts over, see startsOver), else null.
 */
export type PeekedInbound =
  { duplicate: true } | { duplicate: false; saved: SavedConversation | null; optedOut: boolean | null };

/** A store that can show what `receive` would decide on, ahead of it (the SQLite store). */
export interface InboundPeek {
  peekInbound(message: InboundMessage): Promise<PeekedInbound>;
}

/** How far behind the outbox is: read when /metrics is scraped, never on a message's path. */
export interface OutboxBacklog {
  /** Items not sent yet: pending (held for quiet hours included) or being sent. */
  unsent: number;
  /** When the oldest of them was queued, texts held for a client's quiet hours left out; null: none. */
  oldestQueuedAt: number | null;
}

/** Messages waiting to be sent (written with the change that caused them), and their delivery. */
export interface OutboxStore {
  /**
   * Claims up to `limit` pending outbox items due at `now` for `leaseMs`, oldest first, never an
   * item while an older one for the same conversation and destination is pending or being sent
   * (so each recipient gets messages in order), unless that older one is held for quiet hours and
   * not due yet. Safe with several processes on one database.
   */
  claimOutbox(now: number, leaseMs: number, limit: number): Promise<OutboxItem[]>;
  markOutboxSent(id: number, providerId: string, now: number): Promise<void>;
  /** Back to pending, to be tried again at `nextAttemptAt`. */
  retryOutbox(id: number, nextAttemptAt: number, error: string, now: number): Promise<void>;
  failOutbox(id: number, error: string, now: number): Promise<void>;
  /**
   * Items still 'sending' after their lease: the process died between sending and marking. They
   * become 'unknown' (never resent blindly) and are returned so PJ can be told.
   */
  expireOutbox(now: number): Promise<OutboxItem[]>;
  /** Records a provider's delivery status for the item it sent; null if no item has that id. */
  recordDelivery(providerId: string, status: string, errorCode: string | null, now: number): Promise<OutboxItem | null>;
  /** Adds outbox items outside any conversation change (e.g. telling PJ about a delivery problem). */
  enqueueOutbox(conversationId: number, drafts: OutboxDraft[], now: number): Promise<void>;
  /** How far behind sending is (/metrics reads it when scraped). */
  outboxBacklog(now: number): Promise<OutboxBacklog>;
}

/**
 * Texts held for a client's quiet hours. A store with this capability honours
 * OutboxDraft.notBefore (a held text is claimed only once due, and never holds up later ones),
 * hands each decision the conversation's `held` texts and removes those it drops
 * (Decision.dropHeld). Both stores have it.
 */
export interface HeldTextStore {
  /**
   * Puts an item being sent back unsent, held until `notBefore` (the client's quiet hours began
   * before it went): pending again, its attempt not counted, and held.
   */
  holdOutbox(id: number, notBefore: number, now: number): Promise<void>;
}

/**
 * The files clients attach (MMS pictures), downloaded into the database when TWILIO_FETCH_MEDIA
 * is on, so every instance can show them. `receive` keeps each attachment as a link; the fetcher
 * claims links, downloads them and settles each. Both stores have it, the files in the database.
 */
export interface MediaStore {
  /**
   * Claims up to `limit` attachments that are only linked and due at `now` (or whose download
   * stopped mid-way, its lease over) for `leaseMs`, oldest first, counting the attempt. Safe with
   * several processes on one database.
   */
  claimMediaDownloads(now: number, leaseMs: number, limit: number): Promise<MediaDownload[]>;
  /**
   * Keeps the downloaded file of attachment `id`: the transcript then shows it stored, with its
   * size, and its conversation counts as updated at `now` (PJ's console looks again).
   */
  storeMediaFile(id: number, file: MediaFile, now: number): Promise<void>;
  /**
   * A download that did not work: linked again and tried at `retryAt`, or given up (`tooLarge`,
   * `failed`) with the link kept.
   */
  settleMediaDownload(
    id: number,
    outcome: { retryAt: number; error: string } | { state: 'tooLarge' | 'failed'; error: string },
    now: number,
  ): Promise<void>;
  /** The stored file of attachment `mediaId` of conversation `conversationId`, or null (none, or not stored). */
  getMediaFile(conversationId: number, mediaId: number): Promise<MediaFile | null>;
}

/** Each conversation's thread in the Slack handoff channel, and the way back from a thread. */
export interface DeskThreadStore {
  getDeskThread(conversationId: number): Promise<{ channel: string; ts: string } | null>;
  /** Replaces the conversation's thread; a thread belongs to one conversation at a time. */
  setDeskThread(conversationId: number, channel: string, ts: string): Promise<void>;
  findByDeskThread(channel: string, ts: string): Promise<number | null>;
}

/** PJ's own messages (commands by SMS, replies in his Slack threads), each acted on at most once. */
export interface AdvisorLog {
  /**
   * Runs `work` once for a message from PJ himself, whatever retries, restarts or other
   * processes do: the id is recorded before `work` runs. A repeat gets the first answer, or null
   * when the first run has not finished (or died mid-way: at most once, never twice). A failed
   * `work` is forgotten so a retry may run it.
   */
  onceForAdvisor(
    provider: string,
    externalId: string,
    now: number,
    work: () => Promise<string>,
  ): Promise<{ answer: string | null; repeated: boolean }>;
}

/** Whether the database answers, for readiness checks. */
interface StoreHealth {
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
}

/**
 * What the bot keeps and for how long: the retention sweep, a client's export and erasure, and
 * the senders who opted out. An opt-out outlives its conversation: when a conversation is saved
 * opted out (through `receive` or `update`), its (channel, participant) is kept in the same
 * transaction, and only an opt-in (that sender's conversation saved bot, waiting or human again)
 * removes it; nothing else about the sender is kept once the conversation goes.
 */
export interface Retention {
  /**
   * Removes closed and opted-out conversations last updated before `conversationsBefore`, each
   * with its transcript, dedupe rows, outbox rows, desk thread and web chat history lines (counted
   * with the transcript's); and processed inbound ids, PJ's command log and sent or failed outbox
   * rows older than `logsBefore`. Opt-outs stay.
   */
  sweepRetention(cutoffs: RetentionCutoffs): Promise<RemovedCounts>;
  /** Everything kept about conversation `id`, or null if there is none. */
  exportConversation(id: number): Promise<ConversationExport | null>;
  /**
   * Atomically removes conversation `id`, whatever its status, with its transcript, dedupe rows,
   * outbox rows (queued ones are never sent), desk thread and web chat history lines; the
   * sender's opt-out stays. Null if there is no such id.
   */
  eraseConversation(id: number): Promise<ErasedConversation | null>;
  /** Whether this sender opted out and has not opted back in, with or without a conversation left. */
  isOptedOut(channel: Channel, participant: string): Promise<boolean>;
}

/** Which conversations the pipeline counts: those created in [createdFrom, createdBefore) (epoch ms), on `channel` if given. */
export interface PipelineQuery {
  createdFrom: number;
  createdBefore: number;
  channel?: Channel;
}

/** What the admin API shows on a conversation from the pipeline: PJ's review and the rules behind its verdict. */
export interface ReviewNotes {
  review: VerdictReview | null;
  rulesVersion: string | null;
}

/** A reviewed conversation with the texts its client wrote, in order: an eval case. */
export interface ReviewedConversation extends PipelineRow {
  texts: string[];
}

/**
 * PJ's pipeline: what the conversations created in a period came to, and his reviews of their
 * verdicts. Saving a decision keeps what the counts need: when the conversation was first flagged
 * (its flags saved non-empty), when PJ first wrote to the client (a transcript note of his going
 * out) and the decision's verdictBasis.
 */
export interface PipelineStore {
  /** The conversations of `query`, oldest first (creation, then id). */
  listPipeline(query: PipelineQuery): Promise<PipelineRow[]>;
  /**
   * Atomically keeps PJ's review of conversation `id`, replacing an earlier one, with what the bot
   * had said then (botLabelOf) and the rules version of its verdict's basis; returns the review
   * kept, or null when there is no such id.
   */
  reviewVerdict(id: number, review: ReviewDraft): Promise<VerdictReview | null>;
  /** Every reviewed conversation, by id, with the client's texts. */
  listReviewed(): Promise<ReviewedConversation[]>;
  /**
   * Atomically takes PJ's digest of `day` and queues `drafts` (no conversation's) due at `now`:
   * true once per day whatever restarts and instances do, false when the day was taken already.
   */
  enqueueDigest(day: string, drafts: OutboxDraft[], now: number): Promise<boolean>;
  /** PJ's review and the rules version of the verdict of each of `ids` that exists. */
  reviewsOf(ids: readonly number[]): Promise<Map<number, ReviewNotes>>;
}

/**
 * Everything the bot keeps, by capability. One database object may implement all of them (the
 * SQLite store does); each use case and adapter asks only for the capabilities it uses.
 */
export interface Store
  extends ConversationStore, OutboxStore, DeskThreadStore, AdvisorLog, Retention, StoreHealth, PipelineStore {
  close(): Promise<void>;
}

/**
 * The web chat's side of its conversations: each browser session's history as the visitor's panel
 * shows it (what they typed, the bot's replies with their buttons and cards, PJ's replies), so a
 * reload or any instance can show and stream it, and the secret its session ids are signed with.
 * History lines belong to a conversation: Retention removes them with it. A store that keeps the
 * web chat implements this and PhoneNoticeQuota besides Store (the SQLite store does).
 */
export interface WebChatStore {
  /** Appends lines to `session`'s history for conversation `conversationId`, in order; returns them stored. */
  appendWebEvents(session: string, conversationId: number, drafts: WebEventDraft[], now: number): Promise<WebEvent[]>;
  /** The session's lines with an id above `after`, oldest first, at most `limit`. */
  listWebEvents(session: string, after: number, limit: number): Promise<WebEvent[]>;
  /** The session's lines stored for the visitor's message `messageId` (the message and its replies), in order. */
  webEventsForMessage(session: string, messageId: string): Promise<WebEvent[]>;
  /**
   * Marks the session's lines up to id `through` seen at `now` (the visitor's panel showed them)
   * and returns those not seen before that are not the visitor's own; none twice.
   */
  markWebSeen(session: string, through: number, now: number): Promise<WebEvent[]>;
  /**
   * The secret web session ids are signed with: the one stored first, or `candidate`, stored now,
   * when there is none. Every instance on the database gets the same one.
   */
  webSessionSecret(candidate: string): Promise<string>;
}

/**
 * How many notices PJ's phone gets about conversations on a channel whose phone notices are
 * capped (the web chat): one per conversation, and at most a number per hour across them.
 */
export interface PhoneNoticeQuota {
  /**
   * Atomically takes conversation `id`'s one phone notice at `now`: false when it was taken
   * already, or when `perHour` were taken in the hour before `now`.
   */
  reservePhoneNotice(conversationId: number, now: number, perHour: number): Promise<boolean>;
  /** Gives it back (the notice could not be sent and will be tried again). */
  releasePhoneNotice(conversationId: number): Promise<void>;
}

/** A store that also keeps the web chat. */
export type WebStore = Store & WebChatStore & PhoneNoticeQuota;
