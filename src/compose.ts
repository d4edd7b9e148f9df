import type { webApi } from '@slack/bolt';
import { Router } from 'express';
import { createAdvisorActions } from './app/advisor-actions.js';
import { reportDeliveryProblem } from './app/carrier-opt-out.js';
import { createConversationEraser } from './app/erase-conversation.js';
import { createMediaFetcher, type MediaFetcher } from './app/fetch-media.js';
import { createDecideAhead } from './app/decide-ahead.js';
import type { InboundDecision } from './app/decide-inbound.js';
import { createInboundHandler } from './app/handle-inbound.js';
import { createOutboxWorker, type OutboxSenders, type OutboxWorker } from './app/outbox-worker.js';
import { capPhoneNotices } from './app/cap-phone-notices.js';
import { createDailyDigest } from './app/daily-digest.js';
import { createRetentionSweep } from './app/sweep-retention.js';
import { createRefusedCommandReport } from './app/report-refused-command.js';
import { sweepTimers } from './app/sweep-timers.js';
import { createWebVisitorActions } from './app/web-visitor.js';
import { loadFlows, type LoadedFlows } from './adapters/flow-files/load-flows.js';
import { createLanguageDetector } from './adapters/flow-files/detect-language.js';
import { computeRulesVersion } from './adapters/flow-files/rules-version.js';
import { createAdminErasureRouter } from './adapters/http/admin-erasure-routes.js';
import { createAdminPipelineRouter } from './adapters/http/admin-pipeline-routes.js';
import { createAdminClientRouter } from './adapters/http/admin-client-routes.js';
import { createAdminRouter } from './adapters/http/admin-routes.js';
import { createConsoleRouter } from './adapters/http/console/console-routes.js';
import { createBotMetrics } from './adapters/metrics/metrics.js';
import { createServer, type HttpApp, type Readiness } from './adapters/http/create-server.js';
import { createSlackChannel, type SlackChannel } from './adapters/slack/slack-app.js';
import { createSlackDesk, createSlackDeskAlert, type SlackDeskOptions } from './adapters/slack/slack-desk.js';
import { createSlackDeskEraser } from './adapters/slack/slack-desk-eraser.js';
import { createSlackDigestSender } from './adapters/slack/slack-digest.js';
import { createSlackClientSender } from './adapters/slack/slack-sender.js';
import { createPostgresStore } from './adapters/postgres/postgres-store.js';
import { createSqliteConversationStore } from './adapters/sqlite/sqlite-conversation-store.js';
import { COMMAND_LIMITS, createCommandGate } from './adapters/twilio/advisor-command-gate.js';
import {
  createAdvisorCommandRunner,
  describeAdvisorCommand,
  parseAdvisorCommand,
} from './adapters/twilio/advisor-commands.js';
import { createTwilioMediaDownloader } from './adapters/twilio/twilio-media.js';
import { createTwilioSmsHandler, type TwilioSmsHandler } from './adapters/twilio/twilio-routes.js';
import {
  createSmsAdvisorNotifier,
  createSmsClientSender,
  createTwilioSender,
} from './adapters/twilio/twilio-sender.js';
import { createTwilioStatusRouter } from './adapters/twilio/twilio-status-routes.js';
import { createBatchThread, type BatchThread } from './adapters/threads/batch-thread.js';
import { createWebChannel, type WebChannel } from './adapters/web/web-channel.js';
import type { WebLimits } from './adapters/web/web-routes.js';
import type { Config, StoreChoice } from './config.js';
import type { BotSettings, HandoffSettings } from './core/bot-settings.js';
import type { AdvisorActions, HandleInbound } from './core/driving-ports.js';
import { createCalendar } from './core/calendar.js';
import type { Logger } from './core/logger.js';
import { renderClientTime, type ClientClock } from './core/render-client-time.js';
import type { ConversationRecord } from './core/conversation.js';
import { StoreUnavailableError } from './core/store-unavailable.js';
import { unpackSnapshot } from './core/snapshot-text.js';
import type {
  ClientSender,
  HeldTextStore,
  InboundPeek,
  MediaStore,
  SendingOff,
  Store,
  WebStore,
} from './core/ports.js';
import type { DecideInput, DecideOutput, DecideWorkerData } from './decide-worker.js';

interface Background {
  /**
   * Sends due outbox items and fires due timers, every `everyMs`; sweeps retention now and then
   * daily, on a timer that does not keep the process alive by itself.
   */
  start(everyMs?: number): void;
  stop(): Promise<void>;
  /** One round now: what the loop does each time (tests call it directly). */
  runOnce(): Promise<void>;
}

export interface Composed {
  http: HttpApp;
  store: Store;
  settings: BotSettings;
  handleInbound: HandleInbound;
  actions: AdvisorActions;
  outbox: OutboxWorker;
  background: Background;
  /** null when Slack is off. */
  slack: SlackChannel | null;
  /** The web chat: its API, event streams and demo page are on `http`; null when the store cannot keep it. */
  web: WebChannel | null;
  /** The decide thread (with SQLite, unless DECIDE_THREAD=off), to stop at shutdown; null when there is none. */
  decideThread: { close(): Promise<void> } | null;
}

interface ComposeOptions {
  logger: Logger;
  now?: () => number;
  /**
   * The words and lexicon, already read and checked (loadFlows); by default compose reads the
   * shipped flows/. Tests that start many apps in one process share one copy (reading them takes
   * about 80 ms).
   */
  flows?: LoadedFlows;
  /** The web chat's rate limits and how often its event streams poll; tests change them. */
  web?: { limits?: Partial<WebLimits>; pollMs?: number };
  /** How the Slack Web API client retries; tests shorten it. */
  slackRetry?: webApi.RetryOptions;
}

function handoffSettings(config: Config): HandoffSettings {
  return {
    notifySms: config.twilioRest ? config.handoff.notifySms : null,
    desk: config.handoff.deskChannel !== null && config.slack !== null,
    idleMs: config.handoff.idleMs,
    remindMs: config.handoff.remindMs,
  };
}

/** What /readyz reports about the store: whether its database answers and where its migrations stand. */
type StoreReadiness = () => Promise<Readiness>;

/** What both stores keep: the web chat's histories, attachments' files and texts held for quiet hours too. */
type FullStore = WebStore & MediaStore & HeldTextStore;

/** Opens the store DATABASE_URL chose. PostgreSQL migrates in the background and /readyz says how far. */
function openStore(
  choice: StoreChoice,
  logger?: Logger,
  onBatch?: (size: number) => void,
): { store: FullStore; readiness: StoreReadiness } {
  switch (choice.kind) {
    case 'sqlite': {
      // Migrated before it returns: a failure stops start-up.
      const store = createSqliteConversationStore(choice.path, {
        ...(onBatch && { onBatch }),
        checkpoints: {
          onStopped: (why) =>
            logger?.error(
              { why },
              `the SQLite checkpoint thread stopped (${why}): the main thread checkpoints the WAL again, with longer pauses under load; restart the bot to get it back`,
            ),
        },
      });
      const readiness: StoreReadiness = () =>
        store.ping().then(
          () => ({ ok: true, store: 'sqlite', database: 'up' }),
          () => ({ ok: false, store: 'sqlite', database: 'down' }),
        );
      return { store, readiness };
    }
    case 'postgres': {
      const store = createPostgresStore({ url: choice.url, max: choice.poolMax, ...(logger && { log: logger }) });
      const readiness: StoreReadiness = async () => {
        const database = await store.ping().then(
          () => 'up',
          (error: unknown) => (error instanceof StoreUnavailableError ? 'down' : 'up'),
        );
        const migrations = store.migrations();
        return { ok: database === 'up' && migrations.state === 'done', store: 'postgres', database, migrations };
      };
      return { store, readiness };
    }
  }
}

/** A store that can show what a receive would decide on, so that the decision is made ahead (decide-ahead.ts). */
const canPeek = (store: object): store is InboundPeek => 'peekInbound' in store;

/** The worker thread's entry beside this module: TypeScript under tsx and in tests, JavaScript once built. */
const decideWorkerEntry = (): URL =>
  new URL(import.meta.url.endsWith('.ts') ? './decide-worker.ts' : './decide-worker.js', import.meta.url);

/** What the decide thread starts with: the settings as data (a function does not cross: it makes its own detector). */
export function decideWorkerData(settings: BotSettings): DecideWorkerData {
  const { detectLanguage, flow, lexicon, translations, ...rest } = settings;
  return { settings: rest, flows: { flow, lexicon, translations }, detects: detectLanguage !== undefined };
}

/**
 * The decide thread (issue 11): decideInbound on a worker thread, with the settings built here,
 * while the main thread goes on parsing and answering requests. Its young generation is kept small:
 * it holds one batch's work at a time.
 */
function startDecideThread(settings: BotSettings, logger: Logger): BatchThread<DecideInput, DecideOutput> {
  return createBatchThread({
    entry: decideWorkerEntry(),
    workerData: decideWorkerData(settings),
    resourceLimits: { maxYoungGenerationSizeMb: 8 },
    logger,
    what: 'decide',
    handBackLone: true,
  });
}

/** The bot without any channel: its store and the use case every channel feeds. `onBatch`: see /metrics. */
export function composeBot(
  config: Config,
  given?: LoadedFlows,
  logger?: Logger,
  onBatch?: (size: number) => void,
): {
  store: FullStore;
  handleInbound: HandleInbound;
  settings: BotSettings;
  readiness: StoreReadiness;
  thread: BatchThread<DecideInput, DecideOutput> | null;
} {
  const { store, readiness } = openStore(config.database, logger, onBatch);
  const { flow, lexicon, translations } = given ?? loadFlows();
  const settings: BotSettings = {
    flow,
    lexicon,
    translations,
    detectLanguage: createLanguageDetector(),
    advisorLanguages: config.advisorLanguages,
    advisor: config.advisor,
    botAnswersKeywords: config.botAnswersKeywords,
    handoff: handoffSettings(config),
    rulesVersion: computeRulesVersion(),
    clientTime: { quietHours: config.quietHours, advisorTimeZone: config.timeZone },
  };
  const inPlace = () => ({
    store,
    handleInbound: createInboundHandler(store, settings),
    settings,
    readiness,
    thread: null,
  });
  if (!config.decideThread || logger === undefined) return inPlace();
  if (!canPeek(store)) {
    logger.info('texts are decided in place: the decide thread (DECIDE_THREAD) needs SQLite');
    return inPlace();
  }
  const thread = startDecideThread(settings, logger);
  // The decision's snapshot comes back as JSON text, which the store writes as it is (snapshot-text.ts).
  const ahead = createDecideAhead(store, async (message, saved, optedOut) => {
    const decided = await thread.run([message, saved, optedOut]);
    return decided && unpackSnapshot<InboundDecision>(decided);
  });
  return { store, handleInbound: createInboundHandler(store, settings, ahead), settings, readiness, thread };
}

function slackOff(config: Config): string {
  return config.slack?.appToken !== undefined
    ? 'Slack runs in Socket Mode (SLACK_APP_TOKEN is set): no HTTP endpoint'
    : 'Slack is off: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN to turn it on';
}

const DAY_MS = 24 * 60 * 60_000;

function createBackground(run: () => Promise<void>, logger: Logger, daily: () => Promise<unknown>): Background {
  let timer: NodeJS.Timeout | undefined;
  let dailyTimer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let runningDaily: Promise<unknown> = Promise.resolve();
  const once = () =>
    (running = running.then(run).catch((error: unknown) => {
      logger.error({ err: error }, 'background round failed (outbox or timers); it runs again shortly');
    }));
  const onceDaily = () =>
    (runningDaily = runningDaily.then(daily).catch((error: unknown) => {
      logger.error({ err: error }, 'retention sweep failed; it runs again in a day or at the next start');
    }));
  return {
    start(everyMs = 1000) {
      timer ??= setInterval(() => void once(), everyMs);
      if (dailyTimer !== undefined) return;
      void onceDaily();
      dailyTimer = setInterval(() => void onceDaily(), DAY_MS).unref();
    },
    async stop() {
      clearInterval(timer);
      clearInterval(dailyTimer);
      timer = undefined;
      dailyTimer = undefined;
      await Promise.all([running, runningDaily]);
    },
    runOnce: once,
  };
}

const SMS_OFF = 'SMS sending is off: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_PHONE_NUMBER';
const WEB_OFF =
  'the web chat is off: this store does not keep its histories (WebChatStore and PhoneNoticeQuota); the SQLite and PostgreSQL stores do';

/** Whether the store keeps the web chat's histories too (the SQLite and PostgreSQL stores do). */
function keepsWebChat(store: Store): store is WebStore {
  return 'appendWebEvents' in store && 'reservePhoneNotice' in store;
}

/** Downloads clients' attachments into the database when TWILIO_FETCH_MEDIA is on (either store keeps them). */
function createMediaFetcherFor(
  config: Config,
  store: MediaStore,
  now: () => number,
  logger: Logger,
): MediaFetcher | null {
  if (config.fetchMedia === null) return null;
  return createMediaFetcher({ store, download: createTwilioMediaDownloader(config.fetchMedia), now, log: logger });
}

/**
 * What the outbox delivers through: a ClientSender for every channel (or what to set to turn it
 * on), PJ's phone and his Slack desk. `slackClient` is the Slack channel's outbox client, null
 * when Slack is off; `web` the web chat's sender, which compose builds with the chat.
 */
export function createOutboxSenders(
  config: Pick<Config, 'twilioRest' | 'handoff'>,
  slackClient: webApi.WebClient | null,
  deps: Pick<SlackDeskOptions, 'store' | 'flow' | 'advisor' | 'clientLocalTime'>,
  web: ClientSender | SendingOff = { off: 'the web chat is not built here: compose() builds it with its sender' },
): OutboxSenders {
  const twilio = config.twilioRest ? createTwilioSender(config.twilioRest) : null;
  const deskChannel = config.handoff.deskChannel;
  return {
    clients: {
      sms: twilio ? createSmsClientSender(twilio) : { off: SMS_OFF },
      slack: slackClient
        ? createSlackClientSender(slackClient)
        : { off: 'Slack is off: set SLACK_BOT_TOKEN (with SLACK_SIGNING_SECRET or SLACK_APP_TOKEN)' },
      web,
    },
    advisorPhone: twilio
      ? (to) => createSmsAdvisorNotifier(twilio, to, deps.flow, deps.advisor)
      : { off: `cannot text PJ (ADVISOR_NOTIFY_SMS): ${SMS_OFF}` },
    desk:
      slackClient && deskChannel !== null
        ? createSlackDesk({ ...deps, client: slackClient, channel: deskChannel })
        : { off: 'the Slack handoff channel is off: set SLACK_HANDOFF_CHANNEL and SLACK_BOT_TOKEN' },
    digest: {
      sms: twilio
        ? (to) => ({ send: (text) => twilio.send(to, text) })
        : { off: `cannot text PJ his digest: ${SMS_OFF}` },
      slack: slackClient
        ? (channel) => createSlackDigestSender(slackClient, channel)
        : { off: 'cannot post PJ his digest: Slack is off (set SLACK_BOT_TOKEN)' },
    },
  };
}

/** The composition root: builds every adapter from config and wires them to the use cases. */
export function compose(config: Config, options: ComposeOptions): Composed {
  const { logger, now = Date.now } = options;
  // GET /metrics (METRICS_TOKEN): the outbox is read when scraped, by then the store is open.
  const metrics =
    config.metricsToken === null
      ? null
      : createBotMetrics({
          token: config.metricsToken,
          logger,
          now,
          outboxBacklog: (at) => bot.store.outboxBacklog(at),
        });
  const bot = composeBot(config, options.flows, logger, metrics?.observeBatch);
  const { store, settings, readiness } = bot;
  const handleInbound = metrics ? metrics.countMessages(bot.handleInbound) : bot.handleInbound;
  const { flow, advisor } = settings;
  const actions = createAdvisorActions(store, settings, now);
  const deskChannel = config.handoff.deskChannel;
  const slack = config.slack
    ? createSlackChannel({
        ...config.slack,
        handleInbound,
        store,
        flow,
        translations: settings.translations,
        advisorLanguages: settings.advisorLanguages,
        advisor,
        logger,
        now,
        ...(options.slackRetry !== undefined && { retryConfig: options.slackRetry }),
        ...(deskChannel !== null && {
          desk: { channel: deskChannel, actions, advisors: config.advisorAccess.slackUsers },
        }),
      })
    : null;
  // On whenever the store keeps it: with no WEB_CHAT_ORIGINS only the bot's own pages (the demo page at /) may use it.
  const web = keepsWebChat(store)
    ? createWebChannel({
        handleInbound,
        visitor: createWebVisitorActions(store, settings, now),
        store,
        flow,
        translations: settings.translations,
        advisorLanguages: settings.advisorLanguages,
        advisor,
        logger,
        now,
        sessionSecret: config.web.sessionSecret,
        origins: config.web.origins,
        ...options.web,
      })
    : null;

  // Anyone can write in the web chat: PJ's phone hears of each conversation there once, and a few an hour.
  const capped = (senders: OutboxSenders): OutboxSenders => {
    const { advisorPhone } = senders;
    if (!keepsWebChat(store) || 'off' in advisorPhone) return senders;
    const cap = { quota: store, perHour: config.web.phoneNoticesPerHour, now, log: logger };
    return { ...senders, advisorPhone: (to) => capPhoneNotices(advisorPhone(to), cap) };
  };

  // The client's local time on PJ's surfaces, "night there" by the same QUIET_HOURS the bot's texts wait for.
  const clientClock: ClientClock = { quietHours: config.quietHours, advisorTimeZone: config.timeZone };
  const clientTime = (conversation: ConversationRecord) =>
    renderClientTime(conversation, clientClock, now(), flow, advisor);
  const outbox = createOutboxWorker({
    store,
    settings,
    now,
    log: logger,
    leaseMs: config.outboxLeaseMs,
    senders: capped(
      createOutboxSenders(
        config,
        slack?.outboxClient ?? null,
        { store, flow, advisor, clientLocalTime: clientTime },
        web?.sender ?? { off: WEB_OFF },
      ),
    ),
  });
  const calendar = createCalendar(config.timeZone);
  const digest = config.digest
    ? createDailyDigest({ store, calendar, settings: config.digest, flow, advisor, now, log: logger })
    : null;
  const media = createMediaFetcherFor(config, store, now, logger);
  const sweepRetention = createRetentionSweep({ store, retentionDays: config.retentionDays, now, log: logger });
  // Timers and the outbox fail separately: a conversation that cannot be swept must not stop sending.
  const background = createBackground(
    async () => {
      await sweepTimers(store, settings, now()).catch((error: unknown) => {
        logger.error({ err: error }, 'timer sweep failed for some conversations; the others were swept');
      });
      // Queued before the outbox runs, so the day's digest goes out in the same round.
      await digest?.tick().catch((error: unknown) => {
        logger.error({ err: error }, 'daily digest failed; it is tried again next round');
      });
      await outbox.tick();
      await media?.tick().catch((error: unknown) => {
        logger.error({ err: error }, 'media download round failed; it runs again shortly (links are kept meanwhile)');
      });
    },
    logger,
    sweepRetention,
  );

  let twilio: Router | { off: string } = {
    off: 'SMS channel is off: set TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL to turn it on',
  };
  let twilioSms: TwilioSmsHandler | undefined;
  if (config.sms) {
    const notifySms = settings.handoff.notifySms;
    const runCommand = createAdvisorCommandRunner({ store, actions, flow, advisor });
    const reportRefused = createRefusedCommandReport({
      store,
      settings,
      from: notifySms ?? '',
      now,
      alertDesk:
        slack && deskChannel !== null
          ? createSlackDeskAlert({ client: slack.outboxClient, channel: deskChannel, logger })
          : null,
    });
    const sms = createTwilioSmsHandler({
      ...config.sms,
      handleInbound,
      logger,
      now,
      ...(notifySms !== null && {
        advisor: {
          number: notifySms,
          run: (text, sid) => store.onceForAdvisor('twilio', sid, now(), () => runCommand(text)),
          gate: createCommandGate({ pin: config.advisorAccess.commandPin, ...COMMAND_LIMITS }),
          refused: async (text, sid) => {
            const refused = describeAdvisorCommand(parseAdvisorCommand(text), flow);
            await store.onceForAdvisor('twilio-refused', sid, now(), async () => {
              await reportRefused(refused);
              return '';
            });
          },
        },
      }),
    });
    // Timed from the request to its answer, whichever way it came in.
    const timeWebhook = metrics ? metrics.timeWebhook : () => undefined;
    twilioSms = {
      plain(req, res, fail, path) {
        if (!sms.plain(req, res, fail, path)) return false;
        timeWebhook(res);
        return true;
      },
      express(req, res, next) {
        timeWebhook(res);
        void sms.express(req, res, next);
      },
    };
    twilio = Router().use(
      createTwilioStatusRouter({
        ...config.sms,
        store,
        now,
        logger,
        onDeliveryProblem: (item, outcome) => reportDeliveryProblem(store, settings, item, outcome, now()),
      }),
    );
  }
  const erasure = createAdminErasureRouter({
    store,
    logger,
    erase: createConversationEraser({
      store,
      log: logger,
      deleteDeskMessage: slack
        ? createSlackDeskEraser(slack.outboxClient)
        : { off: 'Slack is off: set SLACK_BOT_TOKEN' },
    }),
  });
  const pipeline = createAdminPipelineRouter({
    store,
    calendar,
    now,
    logger,
    rulesVersion: settings.rulesVersion ?? null,
  });
  const admin = config.adminToken
    ? createAdminRouter({
        token: config.adminToken,
        store,
        logger,
        actions,
        flow,
        advisor,
        erasure,
        pipeline,
        reviews: store,
        calendar,
        client: createAdminClientRouter({
          store,
          media: store,
          clientTime,
          logger,
        }),
      })
    : { off: 'admin API is off: set ADMIN_TOKEN to turn it on' };
  const http = createServer({
    logger,
    ping: () => store.ping(),
    readiness,
    twilio,
    ...(twilioSms !== undefined && { twilioSms }),
    slack: slack?.router ?? { off: slackOff(config) },
    admin,
    console: createConsoleRouter({ advisorName: advisor.name }),
    web: web?.router ?? { off: WEB_OFF },
    hsts: config.hsts,
    trustProxy: config.trustProxy,
    ...(metrics && { metrics }),
  });
  return { http, store, settings, handleInbound, actions, outbox, background, slack, web, decideThread: bot.thread };
}
