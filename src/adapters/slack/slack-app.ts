import { App, ExpressReceiver, webApi } from '@slack/bolt';
import express from 'express';
import { slackRequestGuard, type SlackEventHandler } from './slack-request-guard.js';
import { createConcurrencyLimit, type ConcurrencyLimit } from './limit-concurrency.js';
import type { Router } from 'express';
import type { InboundMessage } from '../../core/conversation.js';
import type { AdvisorActions, HandleInbound } from '../../core/driving-ports.js';
import type { Flow } from '../../core/flow.js';
import type { Language } from '../../core/languages.js';
import { flowIn, type Translations } from '../../core/localize-flow.js';
import type { AdvisorLog, ConversationStore, DeskThreadStore, OutboxStore } from '../../core/ports.js';
import type { Advisor } from '../../core/render-reply.js';
import type { Logger } from '../../core/logger.js';
import { createBoltLogger } from './bolt-logger.js';
import { createSlackIdentity, type SlackIdentity } from './slack-identity.js';
import { renderSlackMessage } from './slack-blocks.js';
import type { SlackAddress } from './slack-conversations.js';
import type { DeskAdvisor } from './slack-desk-access.js';
import { registerDeskListeners } from './slack-desk-listeners.js';
import { registerSlackListeners } from './slack-listeners.js';

export interface SlackOptions {
  botToken: string;
  /** HTTP mode: Slack signs every request with it. */
  signingSecret?: string;
  /** Socket Mode (no public URL) when set. */
  appToken?: string;
  /** Web API base URL; Slack's own by default. */
  apiUrl?: string;
  handleInbound: HandleInbound;
  store: ConversationStore & OutboxStore & DeskThreadStore & AdvisorLog;
  flow: Flow;
  /** The client-facing words in other languages: a conversation is answered in its client's. */
  translations?: Translations;
  /** The languages PJ answers in (ADVISOR_LANGUAGES). */
  advisorLanguages?: readonly Language[];
  advisor: Advisor;
  logger: Logger;
  now: () => number;
  /** How the Web API client retries 5xx and network failures (429s wait for Retry-After). */
  retryConfig?: webApi.RetryOptions;
  /**
   * PJ's desk (SLACK_HANDOFF_CHANNEL): the buttons and his replies in its threads, from the users
   * of SLACK_ADVISOR_USER_IDS only.
   */
  desk?: { channel: string; actions: AdvisorActions; advisors: DeskAdvisor[] };
}

export interface SlackChannel {
  /** Mount at /slack in HTTP mode; null in Socket Mode. */
  router: Router | null;
  /** A Web API client for the outbox: same token and base URL, no retries of its own. */
  outboxClient: webApi.WebClient;
  start(): Promise<void>;
  stop(): Promise<void>;
}

// Slack retries quickly itself; a few of our own retries over about half a minute cover blips.
const DEFAULT_RETRY: webApi.RetryOptions = {
  retries: 5,
  factor: 2,
  minTimeout: 500,
  maxTimeout: 10_000,
  randomize: true,
};

/**
 * auth.test's own retries and timeout: few and short, so an event that waits for it is answered
 * (503 if it still fails, and Slack sends it again) within Slack's 3 seconds.
 */
const AUTH_RETRY: webApi.RetryOptions = { retries: 2, factor: 2, minTimeout: 100, maxTimeout: 400 };
const AUTH_TIMEOUT_MS = 600;

/** Acknowledged events handled at once (see createSlackChannel). */
const EVENTS_AT_ONCE = 8;

/**
 * Handles one Slack message and posts what the bot says, if anything. `firstTime` runs before
 * the reply only when the message was not seen before (a retry or second click skips it), with
 * the conversation's language after it.
 */
export type Deliver = (
  message: InboundMessage,
  address: SlackAddress,
  client: webApi.WebClient,
  firstTime?: (language: Language) => Promise<void>,
) => Promise<void>;

function createDeliver(options: SlackOptions): Deliver {
  const { handleInbound, advisor, logger } = options;
  return async (message, address, client, firstTime) => {
    const result = await handleInbound(message);
    const log = { conversationId: result.conversationId, duplicate: result.duplicate };
    if (result.duplicate) {
      logger.info(log, 'repeated Slack delivery: already answered, nothing posted');
      return;
    }
    await firstTime?.(result.language);
    const reply = renderSlackMessage(result.says, flowIn(options, result.language), advisor);
    if (reply === null) return;
    try {
      await client.chat.postMessage({ channel: address.channel, thread_ts: address.threadTs, ...reply });
      // Debug, not info: one line per message would cost every message a write (issue 11).
      logger.debug(log, 'answered on Slack');
    } catch (error) {
      // The reply is saved already; the outbox keeps trying it on its own schedule.
      await options.store.enqueueOutbox(
        result.conversationId,
        [{ destination: { kind: 'client' }, payload: { type: 'text', text: reply.text, author: 'bot' } }],
        options.now(),
      );
      logger.error(
        { ...log, err: error },
        'could not post the reply to Slack (queued in the outbox): check SLACK_BOT_TOKEN and the chat:write and im:write scopes',
      );
    }
  };
}

/**
 * The guard, then Bolt's receiver. Events are acknowledged by the guard and go straight to the
 * app's processEvent (their ack is then a no-op); commands and buttons take Bolt's way, whose
 * listeners ack them.
 */
function guarded(
  receiver: ExpressReceiver,
  app: App,
  identity: SlackIdentity,
  events: ConcurrencyLimit,
  options: SlackOptions,
): Router {
  const onEvent: SlackEventHandler = (body, retry) => {
    events
      .run(() => app.processEvent({ body, ack: async () => {}, ...retry }))
      .catch((error: unknown) => {
        options.logger.error({ err: error }, 'Slack event failed after it was acknowledged');
      });
  };
  const router = express.Router();
  router.use(
    slackRequestGuard({
      signingSecret: options.signingSecret ?? '',
      logger: options.logger,
      onEvent,
      ready: identity.ready,
    }),
  );
  router.use(receiver.router);
  return router;
}

/** The Slack channel on Bolt: HTTP on our express server, or Socket Mode when an app token is set. */
export function createSlackChannel(options: SlackOptions): SlackChannel {
  const logger = createBoltLogger(options.logger);
  const clientOptions = {
    retryConfig: options.retryConfig ?? DEFAULT_RETRY,
    ...(options.apiUrl !== undefined && { slackApiUrl: options.apiUrl.replace(/\/*$/, '/') }),
  };
  // Bolt is given our authorize instead of the token (see slack-identity.ts): the token travels in its result.
  const identity = createSlackIdentity({
    botToken: options.botToken,
    client: new webApi.WebClient(undefined, { ...clientOptions, retryConfig: AUTH_RETRY, timeout: AUTH_TIMEOUT_MS }),
    logger: options.logger,
  });
  const { authorize } = identity;
  let receiver: ExpressReceiver | undefined;
  let app: App;
  if (options.appToken !== undefined) {
    // NOTE: the socket's own apps.connections.open call reads installerOptions, not clientOptions.
    app = new App({
      authorize,
      appToken: options.appToken,
      socketMode: true,
      logger,
      clientOptions,
      installerOptions: { clientOptions },
      convoStore: false,
    });
  } else {
    if (options.signingSecret === undefined) throw new Error('Slack over HTTP needs SLACK_SIGNING_SECRET');
    // NOTE: processBeforeResponse stays false: Bolt acks at once and our work runs after the ack.
    receiver = new ExpressReceiver({ signingSecret: options.signingSecret, endpoints: '/events', logger });
    app = new App({ authorize, receiver, logger, clientOptions, convoStore: false });
  }
  registerSlackListeners(app, { ...options, deliver: createDeliver(options) });
  if (options.desk !== undefined) registerDeskListeners(app, { ...options, ...options.desk });
  app.error(async (error) => {
    options.logger.error({ err: error }, 'Slack listener failed');
  });
  // Acknowledged events are handled a few at a time, after the turn that acknowledged them: with
  // every event handled at once, a burst's work (Bolt, the store, the reply's Web API call) filled
  // each turn of the event loop, and the next events waited behind it for their ack: p99 0.9-1.7 s
  // at 50 concurrent events on a slow day on this machine, 57-68 ms with eight at a time, at the
  // same events a second (issue 11).
  const events = createConcurrencyLimit(EVENTS_AT_ONCE);
  return {
    // The guard checks and screens every request before Bolt sees it (see slack-request-guard.ts).
    router: receiver ? guarded(receiver, app, identity, events, options) : null,
    // The outbox retries on its own schedule: its client must fail fast (429 included), or a long
    // Retry-After inside one call could outlast the item's claim and leave it 'unknown'.
    outboxClient: new webApi.WebClient(options.botToken, {
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      ...(clientOptions.slackApiUrl !== undefined && { slackApiUrl: clientOptions.slackApiUrl }),
    }),
    async start() {
      if (options.appToken !== undefined) await app.start();
    },
    async stop() {
      if (options.appToken !== undefined) await app.stop();
      // Events already acknowledged are not sent again by Slack: they are handled before the store closes.
      await events.idle();
    },
  };
}
