import type { BotSettings } from '../core/bot-settings.js';
import type { ConversationRecord } from '../core/conversation.js';
import { DeliveryError, OPTED_OUT_CODE } from '../core/delivery-error.js';
import type {
  AdvisorDesk,
  AdvisorNotifier,
  ClientSenders,
  ConversationStore,
  DigestSender,
  HeldTextStore,
  OutboxItem,
  OutboxStore,
  SendingOff,
} from '../core/ports.js';
import { reportDeliveryProblem } from './carrier-opt-out.js';
import { heldUntil } from './quiet-hours.js';
import { reportLostNotice } from './report-lost-notice.js';

/** Everything the outbox delivers through; an entry that is off says what to set to turn it on. */
export interface OutboxSenders {
  /** Client texts go by the conversation's channel. */
  clients: ClientSenders;
  /** PJ's phone (ADVISOR_NOTIFY_SMS), at the number the outbox item names. */
  advisorPhone: ((to: string) => AdvisorNotifier) | SendingOff;
  /** PJ's desk in the Slack handoff channel (SLACK_HANDOFF_CHANNEL). */
  desk: AdvisorDesk | SendingOff;
  /** PJ's daily digest: to a number by SMS, to a channel on Slack (ADVISOR_DIGEST). */
  digest?: {
    sms: ((to: string) => DigestSender) | SendingOff;
    slack: ((channel: string) => DigestSender) | SendingOff;
  };
}

interface OutboxWorkerDeps {
  /** With HeldTextStore when quiet hours are on (compose turns them on only for such a store). */
  store: ConversationStore & OutboxStore & Partial<HeldTextStore>;
  settings: BotSettings;
  senders: OutboxSenders;
  now: () => number;
  log: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
  };
  /** How long a claimed item may take before it counts as lost mid-send. */
  leaseMs?: number;
  maxAttempts?: number;
}

export interface OutboxWorker {
  /** Sends what is due; resolves to how many items it handled. */
  tick(): Promise<number>;
}

const DEFAULT_LEASE_MS = 60_000;
const DEFAULT_MAX_ATTEMPTS = 8;
const BATCH = 20;
const FIRST_RETRY_MS = 2_000;
const MAX_RETRY_MS = 5 * 60_000;

/** 2 s, 4 s, 8 s... after each failed attempt, at most 5 min. No jitter: the clock is injected and tests rely on it. */
export function retryDelayMs(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), MAX_RETRY_MS);
}

type Plan = { ok: true; send: () => Promise<string> } | { ok: false; reason: string; optedOut?: boolean };

const isOff = <T extends object>(sender: T | SendingOff): sender is SendingOff => 'off' in sender;

function planClientText(
  senders: OutboxSenders,
  conversation: ConversationRecord,
  text: string,
  from: 'bot' | 'advisor',
): Plan {
  // NOTE: only a channel whose "stop" is an opt-out ever has opted-out conversations.
  if (conversation.status === 'opted_out')
    return { ok: false, reason: 'the client opted out of texts: not sent', optedOut: true };
  const sender = senders.clients[conversation.channel];
  if (isOff(sender)) return { ok: false, reason: sender.off };
  return { ok: true, send: () => sender.send(conversation, text, from) };
}

/** What sending `item` takes, or why it cannot be sent at all; nothing is sent yet. */
function plan(senders: OutboxSenders, item: OutboxItem, conversation: ConversationRecord): Plan {
  const { destination, payload } = item;
  if (destination.kind === 'client') {
    if (payload.type !== 'text') return { ok: false, reason: 'a notice for PJ was addressed to the client' };
    return planClientText(senders, conversation, payload.text, payload.author);
  }
  if (payload.type !== 'notice') return { ok: false, reason: 'a client text was addressed to PJ' };
  const { advisorPhone, desk } = senders;
  if (destination.kind === 'advisorSms') {
    if (isOff(advisorPhone)) return { ok: false, reason: advisorPhone.off };
    return { ok: true, send: () => advisorPhone(destination.to).notify(payload.notice, conversation) };
  }
  if (isOff(desk)) return { ok: false, reason: desk.off };
  return { ok: true, send: () => desk.notify(payload.notice, conversation) };
}

/**
 * Sends the outbox: claims due items (several workers may share the database), sends each once,
 * retries provider hiccups with backoff, and tells PJ about texts that failed or may have failed.
 */
export function createOutboxWorker(deps: OutboxWorkerDeps): OutboxWorker {
  const { store, settings, now, log } = deps;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const maxAttempts = deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const about = (item: OutboxItem) => ({
    outboxId: item.id,
    conversationId: item.conversationId,
    to: item.destination.kind,
    attempts: item.attempts,
  });

  async function giveUp(item: OutboxItem, reason: string, code: string | null): Promise<void> {
    await store.failOutbox(item.id, reason, now());
    log.error({ ...about(item), code, reason }, `outbox: message not sent and will not be retried: ${reason}`);
    // The digest is PJ's own summary: nobody else to tell, and no conversation to note it in.
    if (item.destination.kind === 'digest') return;
    await reportDeliveryProblem(store, settings, item, { problem: 'failed', code, detail: reason }, now());
  }

  async function settle(item: OutboxItem, error: DeliveryError): Promise<void> {
    const detail = `${error.code}: ${error.message}`;
    if (!error.retryable || item.attempts >= maxAttempts) return giveUp(item, detail, error.code);
    const retryAt = now() + retryDelayMs(item.attempts);
    await store.retryOutbox(item.id, retryAt, detail, now());
    log.warn({ ...about(item), code: error.code, retryAt }, `outbox: send failed, will retry: ${error.message}`);
  }

  /** PJ's reply from his desk: a check mark on his message there once it reached the client. */
  async function markDelivered(item: OutboxItem): Promise<void> {
    const { desk } = deps.senders;
    if (item.payload.type !== 'text' || !item.payload.origin || isOff(desk)) return;
    try {
      await desk.markDelivered(item.payload.origin);
    } catch (error) {
      log.warn(
        { ...about(item), err: error },
        "outbox: sent, but could not mark PJ's Slack message; check the app has reactions:write",
      );
    }
  }

  /** How PJ's digest goes out, or why it cannot; it is about no conversation. */
  function planDigest(item: OutboxItem): Plan {
    const { destination, payload } = item;
    if (destination.kind !== 'digest' || payload.type !== 'text') return { ok: false, reason: 'not a digest' };
    const sender = deps.senders.digest?.[destination.via] ?? { off: 'the digest is off here' };
    if (isOff(sender)) return { ok: false, reason: sender.off };
    return { ok: true, send: () => sender(destination.to).send(payload.text) };
  }

  /**
   * A text the bot started that is due while it is night for the client (it waited behind a retry,
   * or was queued just before their quiet hours began) waits again for their window, unsent.
   */
  async function holdForTheNight(item: OutboxItem, conversation: ConversationRecord): Promise<boolean> {
    const { payload } = item;
    if (item.destination.kind !== 'client' || payload.type !== 'text' || payload.author !== 'bot' || !store.holdOutbox)
      return false;
    const until = heldUntil(settings, conversation, now());
    if (until === null) return false;
    await store.holdOutbox(item.id, until, now());
    log.info({ ...about(item), until }, "outbox: held for the client's quiet hours");
    return true;
  }

  async function send(item: OutboxItem): Promise<void> {
    if (item.destination.kind === 'digest') return deliver(item, planDigest(item));
    const conversation = await store.get(item.conversationId);
    if (conversation === null) return giveUp(item, `conversation ${item.conversationId} not found`, null);
    if (await holdForTheNight(item, conversation)) return;
    return deliver(item, plan(deps.senders, item, conversation));
  }

  async function deliver(item: OutboxItem, planned: Plan): Promise<void> {
    if (!planned.ok) return giveUp(item, planned.reason, planned.optedOut ? OPTED_OUT_CODE : null);
    let providerId: string;
    try {
      providerId = await planned.send();
    } catch (error) {
      if (error instanceof DeliveryError) return settle(item, error);
      // Not a provider's refusal: it may have gone out. Left 'sending', it expires as unknown, never resent.
      log.error(
        { ...about(item), err: error },
        'outbox: sender failed unexpectedly; PJ is told it may not have been delivered once the lease ends',
      );
      return;
    }
    // A throw from here on leaves the item 'sending': it expires as unknown instead of going out twice.
    await store.markOutboxSent(item.id, providerId, now());
    log.info({ ...about(item), providerId }, 'outbox: sent');
    await markDelivered(item);
  }

  async function guarded(item: OutboxItem, step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      log.error(
        { ...about(item), err: error },
        'outbox: could not handle a message; check the database (it will be reported as unknown, not resent)',
      );
    }
  }

  async function expire(): Promise<number> {
    const expired = await store.expireOutbox(now());
    for (const item of expired) {
      log.error(
        about(item),
        'outbox: a worker stopped mid-send (crash, or a send slower than the lease); marked unknown, not resent; PJ is told',
      );
      const outcome = { problem: 'unknown', code: null, detail: 'the bot stopped mid-send' } as const;
      // A text to the client, or a notice to PJ himself: either way he hears of it (and the console shows it).
      // A digest that may not have gone is not resent; the log line above is all there is to say.
      if (item.destination.kind === 'digest') continue;
      const report =
        item.destination.kind === 'client'
          ? () => reportDeliveryProblem(store, settings, item, outcome, now())
          : () => reportLostNotice(store, settings, item, now());
      await guarded(item, async () => void (await report()));
    }
    return expired.length;
  }

  return {
    async tick() {
      const expired = await expire();
      const claimed = await store.claimOutbox(now(), leaseMs, BATCH);
      // In parallel: a batch holds at most one item per recipient, and each must finish within its lease.
      await Promise.all(claimed.map((item) => guarded(item, () => send(item))));
      return expired + claimed.length;
    },
  };
}
