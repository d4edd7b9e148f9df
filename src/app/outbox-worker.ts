import type { ConversationRecord } from '../core/conversation.js';
import type { AdvisorNotice, ConversationStore } from '../core/ports.js';
import type { BotSettings } from './apply-event.js';

/** Sends one SMS; resolves to the provider's message id. Throws DeliveryError. */
export interface SmsSender {
  send(to: string, text: string): Promise<string>;
}

/** Posts to Slack; resolves to the message ts. Throws DeliveryError. */
export interface SlackPoster {
  post(address: { channel: string; threadTs?: string }, text: string): Promise<string>;
  /** Marks PJ's relayed message as delivered. */
  react(channel: string, ts: string, name: string): Promise<void>;
}

/** Tells PJ in the Slack handoff channel: the conversation's thread, opened on first use. */
export interface DeskPoster {
  post(notice: AdvisorNotice, conversation: ConversationRecord): Promise<string>;
}

export interface OutboxSenders {
  sms: SmsSender | null;
  slack: SlackPoster | null;
  desk: DeskPoster | null;
}

export interface OutboxWorkerDeps {
  store: ConversationStore;
  settings: BotSettings;
  senders: OutboxSenders;
  now: () => number;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /** How long a claimed item may take before it counts as lost mid-send. */
  leaseMs?: number;
  maxAttempts?: number;
}

export interface OutboxWorker {
  /** Sends what is due; resolves to how many items it handled. */
  tick(): Promise<number>;
}

export function createOutboxWorker(_deps: OutboxWorkerDeps): OutboxWorker {
  throw new Error('not implemented yet');
}
