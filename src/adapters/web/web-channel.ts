import { Router } from 'express';
import type { HandleInbound, WebVisitorActions } from '../../core/driving-ports.js';
import type { Flow } from '../../core/flow.js';
import type { FlowsByLanguage } from '../../core/localize-flow.js';
import type { Logger } from '../../core/logger.js';
import type { ClientSender, ConversationStore, WebChatStore } from '../../core/ports.js';
import type { Advisor } from '../../core/render-reply.js';
import { createWebAssets } from './web-assets.js';
import { createWebClientSender } from './web-client-sender.js';
import { createEventStreams, createWakeups } from './web-events-stream.js';
import { publicEvent } from './web-public.js';
import { createWebRoutes, DEFAULT_WEB_LIMITS, type WebLimits } from './web-routes.js';
import { createWebSessions, generateSessionSecret, type WebSessions } from './web-session.js';

export interface WebChannelOptions extends FlowsByLanguage {
  handleInbound: HandleInbound;
  visitor: WebVisitorActions;
  store: Pick<ConversationStore, 'findOpen'> & WebChatStore;
  flow: Flow;
  advisor: Advisor;
  logger: Logger;
  now: () => number;
  /** WEB_SESSION_SECRET; null: one generated once and kept in the database. */
  sessionSecret: string | null;
  /** WEB_CHAT_ORIGINS. */
  origins: readonly string[];
  limits?: Partial<WebLimits>;
  /** How often an open event stream looks for lines stored by another instance. */
  pollMs?: number;
}

export interface WebChannel {
  /** Mount at the root: the demo page (/), /widget.js and the API under /web. */
  router: Router;
  /** The outbox's ClientSender for `web`. */
  sender: ClientSender;
  /** Ends every open event stream (at shutdown, so the server can close). */
  closeStreams(): void;
}

/** The web chat as a channel: its API and event stream, and its outbox delivery. */
export function createWebChannel(options: WebChannelOptions): WebChannel {
  const { store, logger, now } = options;
  const wakeups = createWakeups();
  const streams = createEventStreams({ store, wakeups, logger, toPublic: publicEvent, pollMs: options.pollMs ?? 1000 });
  let sessions: Promise<WebSessions> | undefined;
  const getSessions = (): Promise<WebSessions> => {
    const secret = options.sessionSecret;
    sessions ??= (secret !== null ? Promise.resolve(secret) : store.webSessionSecret(generateSessionSecret())).then(
      createWebSessions,
    );
    // A database that did not answer is asked again next time.
    sessions.catch(() => {
      sessions = undefined;
    });
    return sessions;
  };
  const api = createWebRoutes({
    ...options,
    sessions: getSessions,
    streams,
    wakeups,
    limits: { ...DEFAULT_WEB_LIMITS, ...options.limits },
  });
  const router = Router().use(createWebAssets(options), api);
  return { router, sender: createWebClientSender(store, wakeups, now), closeStreams: () => streams.closeAll() };
}
