import type { Express } from 'express';
import { createInboundHandler, type HandleInbound } from './app/handle-inbound.js';
import { loadFlows } from './adapters/flow-files/load-flows.js';
import { createAdminRouter } from './adapters/http/admin-routes.js';
import { createServer } from './adapters/http/create-server.js';
import type { Logger } from './adapters/log/create-logger.js';
import { createSqliteConversationStore } from './adapters/sqlite/sqlite-conversation-store.js';
import { createTwilioRouter } from './adapters/twilio/twilio-routes.js';
import type { Config } from './config.js';
import type { ConversationStore } from './core/ports.js';

export interface Composed {
  http: Express;
  store: ConversationStore;
  handleInbound: HandleInbound;
}

export interface ComposeOptions {
  logger: Logger;
  now?: () => number;
  flowsDir?: string;
}

/** The composition root: builds every adapter from config and wires them to the use cases. */
export function compose(config: Config, options: ComposeOptions): Composed {
  const { logger, now = Date.now } = options;
  const { flow, lexicon } = loadFlows(options.flowsDir);
  const store = createSqliteConversationStore(config.databasePath);
  const handleInbound = createInboundHandler(store, {
    flow,
    lexicon,
    advisor: config.advisor,
    botAnswersKeywords: config.botAnswersKeywords,
  });
  const twilio = config.sms
    ? createTwilioRouter({ ...config.sms, handleInbound, logger, now })
    : { off: 'SMS channel is off: set TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL to turn it on' };
  const admin = config.adminToken
    ? createAdminRouter({ token: config.adminToken, store, logger })
    : { off: 'admin API is off: set ADMIN_TOKEN to turn it on' };
  const http = createServer({ logger, ping: () => store.ping(), twilio, admin });
  return { http, store, handleInbound };
}
