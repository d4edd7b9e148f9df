import express, { Router, type RequestHandler } from 'express';
import { CHANNEL_IDS } from '../../core/channels.js';
import type { AdvisorActions, AdvisorResult, Refusal } from '../../core/driving-ports.js';
import type { Flow } from '../../core/flow.js';
import type { ConversationStore, PipelineStore } from '../../core/ports.js';
import type { Logger } from '../../core/logger.js';
import { createCalendar, type Calendar } from '../../core/calendar.js';
import { renderRefusal } from '../../core/render-refusal.js';
import type { Advisor } from '../../core/render-reply.js';
import { createFailedAuthLimiter, requireToken, type FailedAuthLimiter } from './admin-auth.js';
import { parseConversationId } from './admin-id.js';
import { MAX_LIMIT, nextCursor, parseListQuery } from './admin-list.js';
import { withReviewNotes } from './review-notes.js';

/** Twilio refuses longer bodies, and one reply should never be near that anyway. */
const MAX_REPLY_LENGTH = 1600;

/** The body of POST /conversations/:id/messages, or what is wrong with it. */
function readReplyText(body: unknown): { ok: true; text: string } | { ok: false; message: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, message: 'send a JSON object like {"text": "..."}' };
  }
  const text: unknown = (body as Record<string, unknown>).text;
  if (text === undefined) return { ok: false, message: 'missing "text": send {"text": "..."}' };
  if (typeof text !== 'string')
    return { ok: false, message: `"text" must be a string, not ${text === null ? 'null' : typeof text}` };
  if (text.trim() === '') return { ok: false, message: '"text" is empty: write something to send' };
  if (text.length > MAX_REPLY_LENGTH)
    return { ok: false, message: `"text" is ${text.length} characters; Twilio takes at most ${MAX_REPLY_LENGTH}` };
  return { ok: true, text };
}

/** express.json for one route, answering a body it cannot read with 400/413/415 and a reason instead of a 500. */
function jsonBody(logger: Logger): RequestHandler {
  const parse = express.json({ limit: '16kb', strict: true });
  return (req, res, next) => {
    if (!req.is('application/json')) {
      logger.warn(
        { path: req.path, contentType: req.header('Content-Type') ?? null },
        'rejected admin request: send Content-Type: application/json',
      );
      res
        .status(415)
        .json({ error: 'unsupported_media_type', message: 'send Content-Type: application/json with {"text": "..."}' });
      return;
    }
    parse(req, res, (error?: unknown) => {
      if (error === undefined || error === null) return next();
      const type = (error as { type?: unknown }).type;
      const [status, code, message] =
        type === 'entity.too.large'
          ? [413, 'too_large', 'the body is larger than 16 kB']
          : type === 'entity.parse.failed'
            ? [400, 'bad_json', `the body is not valid JSON: ${(error as Error).message}`]
            : [400, 'bad_body', `the body could not be read: ${(error as Error).message}`];
      logger.warn(
        { path: req.path, reason: message },
        `rejected admin request: ${message}; send {"text": "..."} as JSON`,
      );
      res.status(status).json({ error: code, message });
    });
  };
}

/** The HTTP status for each refusal; the words are the same as on PJ's other surfaces. */
const REFUSAL_STATUS: Record<Refusal, number> = {
  not_found: 404,
  opted_out: 409,
  closed: 409,
  not_with_advisor: 409,
  empty: 400,
};

interface AdminRouterOptions {
  token: string;
  store: ConversationStore;
  logger: Logger;
  /** PJ's actions (take over, reply, hand back, close); without them those routes answer 503. */
  actions?: AdvisorActions;
  /** A client's export and erasure (admin-erasure-routes.ts), behind the same token. */
  erasure?: Router;
  /** PJ's pipeline: stats, leads, verdict reviews (admin-pipeline-routes.ts), behind the same token. */
  pipeline?: Router;
  /** PJ's reviews, shown on each conversation with the rules version of its verdict. */
  reviews?: Pick<PipelineStore, 'reviewsOf'>;
  /** PJ's days (TZ), for the list's from and to; UTC if not given. */
  calendar?: Calendar;
  /** The client's local time and the files they attached (admin-client-routes.ts), behind the same token. */
  client?: Router;
  /** For the words of a refusal. */
  flow: Flow;
  advisor: Advisor;
  /** Wrong tokens by client address; one per router unless given. */
  limiter?: FailedAuthLimiter;
  now?: () => number;
}

/** PJ's API over conversations; his web console builds on it. */
export function createAdminRouter(options: AdminRouterOptions): Router {
  const { token, store, logger, actions, flow, advisor } = options;
  const router = Router();
  const calendar = options.calendar ?? createCalendar('UTC');
  const limiter = options.limiter ?? createFailedAuthLimiter();
  router.use(requireToken({ token, logger, limiter, now: options.now ?? Date.now }));
  if (options.erasure) router.use(options.erasure);
  if (options.pipeline) router.use(options.pipeline);
  if (options.client) router.use(options.client);
  router.get('/conversations', async (req, res) => {
    const query = parseListQuery(req.query, calendar);
    if (!query.ok) {
      logger.warn(
        { issues: query.fields },
        `rejected admin request: bad query; use channel=${CHANNEL_IDS.join('|')}, status=bot|waiting|human|closed|opted_out, participant, limit=1..${MAX_LIMIT}, before=<nextCursor>, since=<ISO time>`,
      );
      res.status(400).json({ error: 'bad_query', message: query.message });
      return;
    }
    // One more than the page: whether there is a next page, without counting them all.
    const found = await store.list(query.filter, {
      limit: query.limit + 1,
      ...(query.before && { before: query.before }),
    });
    const conversations = found.slice(0, query.limit);
    res.json({
      conversations: await withReviewNotes(conversations, options.reviews),
      nextCursor: nextCursor(conversations, found.length > query.limit),
    });
  });
  router.get('/conversations/:id', async (req, res) => {
    const id = parseConversationId(req.params.id);
    const conversation = id === null ? null : await store.get(id);
    if (conversation === null) {
      logger.warn(
        { id: req.params.id },
        'admin request for an unknown conversation: check the id in GET /admin/api/conversations',
      );
      res.status(404).json({ error: 'not_found', message: `no conversation with id ${req.params.id}` });
      return;
    }
    const [shown] = await withReviewNotes([conversation], options.reviews);
    res.json(shown);
  });

  type Act = (actions: AdvisorActions, id: number, body: unknown) => Promise<AdvisorResult> | { invalid: string };
  const action =
    (name: string, act: Act): RequestHandler =>
    async (req, res) => {
      const raw = typeof req.params.id === 'string' ? req.params.id : '';
      const id = parseConversationId(raw);
      // Ids are plain decimal numbers: anything else names no conversation ("0x1" is not #1).
      if (id === null) {
        logger.warn(
          { action: name, id: raw },
          'refused admin action: no such conversation; check the id in GET /admin/api/conversations',
        );
        res.status(404).json({ error: 'not_found', message: `no conversation with id ${raw}` });
        return;
      }
      if (!actions) {
        logger.error(
          { action: name },
          'admin action unavailable: the admin router was built without advisor actions; pass actions in compose',
        );
        res.status(503).json({ error: 'actions_off', message: 'advisor actions are not wired on this server' });
        return;
      }
      const outcome = act(actions, id, req.body);
      if ('invalid' in outcome) {
        logger.warn(
          { action: name, conversationId: id, reason: outcome.invalid },
          `rejected admin action: ${outcome.invalid}`,
        );
        res.status(400).json({ error: 'bad_body', message: outcome.invalid });
        return;
      }
      const result = await outcome;
      if (result.ok) {
        logger.info(
          { action: name, conversationId: id, changed: result.changed, status: result.record.status },
          'advisor action from the console',
        );
        res.json({ conversation: result.record, changed: result.changed });
        return;
      }
      const message = renderRefusal(result.error, id, flow, advisor);
      logger.warn({ action: name, conversationId: id, error: result.error }, `refused admin action: ${message}`);
      res.status(REFUSAL_STATUS[result.error]).json({ error: result.error, message });
    };

  router.post(
    '/conversations/:id/takeover',
    action('takeover', (a, id) => a.takeOver(id, 'console')),
  );
  router.post(
    '/conversations/:id/messages',
    jsonBody(logger),
    action('message', (a, id, body) => {
      const text = readReplyText(body);
      return text.ok ? a.reply(id, text.text, 'console') : { invalid: text.message };
    }),
  );
  router.post(
    '/conversations/:id/release',
    action('release', (a, id) => a.release(id, 'console')),
  );
  router.post(
    '/conversations/:id/close',
    action('close', (a, id) => a.close(id, 'console')),
  );
  return router;
}
