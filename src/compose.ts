import type { Express } from 'express';
import type { HandoffSettings } from './app/apply-event.js';
import { createInboundHandler, type HandleInbound } from './app/handle-inbound.js';
import { loadFlows } from './adapters/flow-files/load-flows.js';
import { createAdminRouter } from './adapters/http/admin-routes.js';
import { createServer } from './adapters/http/create-server.js';
import type { Logger } from './adapters/log/create-logger.js';
import { createSqliteConversationStore } from './adapters/sqlite/sqlite-conversation-store.js';
import { createTwilioRouter } from './adapters/twilio/twilio-routes.js';
import type { Config } from './config.js';
import type { ConversationStore } from './core/ports.js';
import type { Flow } from './core/flow.js';
import type { webApi } from '@slack/bolt';
import { createSlackChannel, type SlackChannel } from './adapters/slack/slack-app.js';

export interface Composed {
  http: Express;
  store: ConversationStore;
  handleInbound: HandleInbound;
  /** null when Slack is off. */
  slack: SlackChannel | null;
}

export interface ComposeOptions {
  logger: Logger;
  now?: () => number;
  flowsDir?: string;
  /** How the Slack Web API client retries; tests shorten it. */
  slackRetry?: webApi.RetryOptions;
}

export function handoffSettings(config: Config): HandoffSettings {
  return {
    notifySms: config.twilioRest ? config.handoff.notifySms : null,
    desk: config.handoff.deskChannel !== null && config.slack !== null,
    idleMs: config.handoff.idleMs,
    remindMs: config.handoff.remindMs,
  };
}

/** The bot without any channel: its store and the use case every channel feeds. */
export function composeBot(
  config: Config,
  flowsDir?: string,
): { store: ConversationStore; handleInbound: HandleInbound; flow: Flow } {
  const { flow, lexicon } = loadFlows(flowsDir);
  const store = createSqliteConversationStore(config.databasePath);
  const handleInbound = createInboundHandler(store, {
    flow,
    lexicon,
    advisor: config.advisor,
    botAnswersKeywords: config.botAnswersKeywords,
    handoff: handoffSettings(config),
  });
  return { store, handleInbound, flow };
}

function slackOff(config: Config): string {
  return config.slack?.appToken !== undefined
    ? 'Slack runs in Socket Mode (SLACK_APP_TOKEN is set): no HTTP endpoint'
    : 'Slack is off: set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN to turn it on';
}

/** The composition root: builds every adapter from config and wires them to the use cases. */
export function compose(config: Config, options: ComposeOptions): Composed {
  const { logger, now = Date.now } = options;
  const { store, handleInbound, flow } = composeBot(config, options.flowsDir);
  const slack = config.slack
    ? createSlackChannel({
        ...config.slack,
        handleInbound,
        store,
        flow,
        advisor: config.advisor,
        logger,
        now,
        ...(options.slackRetry !== undefined && { retryConfig: options.slackRetry }),
      })
    : null;
  const twilio = config.sms
    ? createTwilioRouter({ ...config.sms, handleInbound, logger, now })
    : { off: 'SMS channel is off: set TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL to turn it on' };
  const admin = config.adminToken
    ? createAdminRouter({ token: config.adminToken, store, logger })
    : { off: 'admin API is off: set ADMIN_TOKEN to turn it on' };
  const http = createServer({
    logger,
    ping: () => store.ping(),
    twilio,
    slack: slack?.router ?? { off: slackOff(config) },
    admin,
  });
  return { http, store, handleInbound, slack };
}
