import { Router, type RequestHandler } from 'express';
import type { InboundMessage } from '../../core/conversation.js';
import type { HandleInbound, WebVisitorActions } from '../../core/driving-ports.js';
import type { Flow } from '../../core/flow.js';
import type { Language } from '../../core/languages.js';
import { flowIn, type FlowsByLanguage } from '../../core/localize-flow.js';
import type { Logger } from '../../core/logger.js';
import type { ConversationStore, WebChatStore } from '../../core/ports.js';
import type { Advisor } from '../../core/render-reply.js';
import type { WebEventDraft } from '../../core/web-chat.js';
import { jsonBody, readLanguage, readMessageBody, type WebMessageBody } from './web-body.js';
import type { EventStreams, Wakeups } from './web-events-stream.js';
import { webCors, isAllowedOrigin } from './web-origins.js';
import { createRateLimiter, type RateLimit } from './web-rate-limit.js';
import { contactOfferLine, greetingLines, parseChoice, renderWebLines } from './web-replies.js';
import { publicEvent } from './web-public.js';
import { addVisitorRoutes } from './web-visitor-routes.js';
import { addressOf, createInTurn, createSessionOf, tooMany } from './web-request.js';
import type { WebSessions } from './web-session.js';

/** How much one browser and one address may do; each counts per instance. */
export interface WebLimits {
  /** New sessions per address. */
  sessionsPerAddress: RateLimit;
  /** Messages per session. */
  messagesPerSession: RateLimit;
  /** Every chat request per address (messages, history, streams). */
  requestsPerAddress: RateLimit;
}

export const DEFAULT_WEB_LIMITS: WebLimits = {
  sessionsPerAddress: { limit: 20, windowMs: 10 * 60_000 },
  messagesPerSession: { limit: 20, windowMs: 60_000 },
  requestsPerAddress: { limit: 300, windowMs: 60_000 },
};

export interface WebRoutesOptions extends FlowsByLanguage {
  handleInbound: HandleInbound;
  /** The contact a visitor leaves and their having seen PJ's reply, for PJ's surfaces. */
  visitor: WebVisitorActions;
  store: Pick<ConversationStore, 'findOpen'> & WebChatStore;
  /** Resolves once the session secret is known (WEB_SESSION_SECRET, or the one kept in the database). */
  sessions: () => Promise<WebSessions>;
  streams: EventStreams;
  wakeups: Wakeups;
  /**
   * The English words; `translations` word the greeting, the replies and the panel's own words
   * in the conversation's language, or before it starts in the one the panel shows (the browser's).
   */
  flow: Flow;
  advisor: Advisor;
  logger: Logger;
  now: () => number;
  /** WEB_CHAT_ORIGINS, as origins (scheme, host and port). */
  origins: readonly string[];
  limits: WebLimits;
}

const HISTORY_LIMIT = 1000;

/**
 * The chat's API: sessions, messages (answered with the bot's replies), history, the event
 * stream, the contact and what was seen, behind the origin check and the rate limits.
 */
export function createWebRoutes(options: WebRoutesOptions): Router {
  const { handleInbound, store, advisor, logger, now, streams } = options;
  const limiters = {
    sessions: createRateLimiter(options.limits.sessionsPerAddress),
    messages: createRateLimiter(options.limits.messagesPerSession),
    requests: createRateLimiter(options.limits.requestsPerAddress),
  };
  const allowed = new Set(options.origins);
  /** One message at a time per session, so a retried id finds the first one's lines. */
  const inTurn = createInTurn();
  const sessionOf = createSessionOf(options.sessions, logger);
  const greeting = (language: Language) => greetingLines(flowIn(options, language), advisor);

  /**
   * The language the panel is to show: its open conversation's, or before one starts (and after
   * one ended) the one the panel says it shows (`hint`: the browser's, or the last conversation's).
   */
  async function panelLanguage(session: string, hint: Language | undefined): Promise<Language> {
    const open = await store.findOpen('web', session);
    if (open !== null) return open.language ?? 'en';
    return hint ?? 'en';
  }

  const router = Router();

  // Answered to any page, so the widget can say plainly that this site is not allowed.
  router.get('/web/origin', (req, res) => {
    res
      .set({ 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'no-store' })
      .json({ allowed: isAllowedOrigin(req, allowed) });
  });

  router.use('/web', webCors(allowed, logger), (req, res, next) => {
    const retryAfter = limiters.requests.take(`address:${addressOf(req)}`, now());
    if (retryAfter !== null) return tooMany(res, retryAfter, 'too many requests from this address');
    next();
  });

  router.post('/web/sessions', async (req, res) => {
    const retryAfter = limiters.sessions.take(`address:${addressOf(req)}`, now());
    if (retryAfter !== null) return tooMany(res, retryAfter, 'too many new sessions from this address');
    const session = (await options.sessions()).create();
    // ?language=es: the browser's language, a hint until the visitor writes.
    const language = readLanguage(req.query.language) ?? 'en';
    res.status(201).json({ session, language, greeting: greeting(language) });
  });

  router.get('/web/messages', async (req, res) => {
    const session = await sessionOf(req, res);
    if (session === null) return;
    const events = await store.listWebEvents(session, 0, HISTORY_LIMIT);
    const language = await panelLanguage(session, readLanguage(req.query.language));
    res
      .set('Cache-Control', 'no-store')
      .json({ language, greeting: greeting(language), messages: events.map(publicEvent) });
  });

  /** The label of the button the visitor pressed, as the panel showed it (its greeting in `language`). */
  async function choiceLabel(session: string, value: string, language: Language): Promise<string | null> {
    const events = await store.listWebEvents(session, 0, HISTORY_LIMIT);
    const shown = [...greeting(language), ...events.map((e) => e.line)].flatMap((line) => line.choices ?? []);
    return shown.findLast((choice) => choice.value === value)?.label ?? null;
  }

  /** Once a conversation is flagged for PJ, the visitor is offered the contact field, once. */
  async function offersContact(session: string, conversationId: number): Promise<boolean> {
    const open = await store.findOpen('web', session);
    if (open === null || open.id !== conversationId || open.flags.length === 0) return false;
    const events = await store.listWebEvents(session, 0, HISTORY_LIMIT);
    return !events.some((e) => e.conversationId === conversationId && e.line.askContact === true);
  }

  async function answer(session: string, body: WebMessageBody): Promise<{ status: number; json: unknown }> {
    const earlier = await store.webEventsForMessage(session, body.id);
    if (earlier.length > 0) {
      const [sent, ...replies] = earlier;
      return {
        status: 200,
        json: { duplicate: true, message: sent && publicEvent(sent), replies: replies.map(publicEvent) },
      };
    }
    const choice = 'choice' in body ? parseChoice(body.choice) : null;
    if ('choice' in body && choice === null) {
      return { status: 400, json: { error: 'bad_choice', message: `"${body.choice}" is not a choice the bot offers` } };
    }
    const shown = 'choice' in body ? await choiceLabel(session, body.choice, body.language ?? 'en') : body.text;
    const message: InboundMessage = {
      channel: 'web',
      participant: session,
      conversationKey: session,
      provider: 'web',
      // Per session: another browser reusing an id must not get this one's replies.
      externalId: `${session}:${body.id}`,
      text: choice === null ? ('text' in body ? body.text : '') : choice.number,
      receivedAt: now(),
      ...(choice !== null && { answers: choice.answers }),
      ...(body.language !== undefined && { languageHint: body.language }),
    };
    const result = await handleInbound(message);
    if (result.duplicate) {
      // Answered before, but its lines were not stored (the process stopped in between): the texts then.
      return { status: 200, json: { duplicate: true, replies: result.replies.map((text) => ({ from: 'bot', text })) } };
    }
    // Worded in the visitor's language, as on SMS and Slack.
    const words = flowIn(options, result.language);
    const lines = renderWebLines(result.says, words, advisor);
    if (await offersContact(session, result.conversationId)) lines.push(contactOfferLine(words, advisor));
    const drafts: WebEventDraft[] = [
      { from: 'visitor', line: { text: shown ?? message.text }, messageId: body.id },
      ...lines.map((line): WebEventDraft => ({ from: 'bot', line, messageId: body.id })),
    ];
    const [sent, ...replies] = await store.appendWebEvents(session, result.conversationId, drafts, now());
    options.wakeups.wake(session);
    // The panel's own words follow the conversation's language ("en español", "English please").
    return {
      status: 200,
      json: { language: result.language, message: sent && publicEvent(sent), replies: replies.map(publicEvent) },
    };
  }

  router.post('/web/messages', jsonBody(logger), async (req, res) => {
    const session = await sessionOf(req, res);
    if (session === null) return;
    const body = readMessageBody(req.body);
    if (!body.ok) {
      res.status(body.status).json({ error: body.error, message: body.message });
      return;
    }
    const retryAfter = limiters.messages.take(`session:${session}`, now());
    if (retryAfter !== null) return tooMany(res, retryAfter, 'too many messages in this chat');
    const { status, json } = await inTurn(session, () => answer(session, body.value));
    res.status(status).json(json);
  });

  const stream: RequestHandler = async (req, res) => {
    const session = await sessionOf(req, res, true);
    if (session === null) return;
    // A reconnecting EventSource sends the last id it got; the first connection says where to start.
    const resume = req.header('Last-Event-ID') ?? (typeof req.query.after === 'string' ? req.query.after : '0');
    const after = /^\d{1,15}$/.test(resume) ? Number(resume) : 0;
    await streams.serve(req, res, session, after);
  };
  router.get('/web/events', stream);
  addVisitorRoutes(router, { ...options, sessionOf, inTurn, panelLanguage, messages: limiters.messages });

  return router;
}
