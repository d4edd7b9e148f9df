import { createHmac, timingSafeEqual } from 'node:crypto';
import express, { type Request, type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import type { Logger } from '../../core/logger.js';
import { ACTION } from './slack-blocks.js';
import { DESK_ACTION } from './slack-desk.js';

/** Slack's window: a request signed more than 5 minutes from now, either way, is refused. */
const MAX_SKEW_SECONDS = 5 * 60;
const SIGNATURE = /^v0=[0-9a-f]{64}$/;

const text = z.string();
/** Slack's ids (T..., U..., C..., D...): a "valueOf" or "__proto__" team id is not one. */
const id = z.string().regex(/^[A-Z0-9]{2,}$/);
const event = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('message'), channel: id, ts: text, user: id.optional() }),
  z.looseObject({ type: z.literal('app_mention'), channel: id, user: id, text, ts: text }),
  z.looseObject({ type: z.literal('app_home_opened'), user: id, tab: text }),
]);

/**
 * The buttons and the command the app listens for: anything else would wait out Bolt's 3-second
 * timeout with no listener to acknowledge it.
 */
const KNOWN_ACTION = new RegExp(
  `^(?:${ACTION.choice}_\\d|${ACTION.talkToAdvisor}|${ACTION.start}|${Object.values(DESK_ACTION).join('|')})$`,
);
const COMMAND = '/soc';

/** The bodies our listeners read, with the fields they read: anything else is acknowledged and ignored. */
const handled = z.union([
  z.looseObject({ type: z.literal('url_verification'), challenge: text }),
  z.looseObject({ type: z.literal('event_callback'), team_id: id, event_id: text, event }),
  z.looseObject({
    type: z.literal('block_actions'),
    user: z.looseObject({ id, team_id: id.optional() }),
    team: z.looseObject({ id }).nullish(),
    actions: z.tuple([z.looseObject({ action_id: text.regex(KNOWN_ACTION) })], z.unknown()),
    container: z.looseObject({}),
  }),
  z.looseObject({ command: z.literal(COMMAND), user_id: id, team_id: id, trigger_id: text, text: text.optional() }),
]);

type Verdict = { ok: true } | { ok: false; status: 400 | 401; reason: string };

/** Checks Slack's v0 signature over the raw body, with the timestamp within 5 minutes either way. */
function checkSlackSignature(
  secret: string,
  raw: Buffer,
  headers: { signature: string | undefined; timestamp: string | undefined },
  nowSeconds: number,
): Verdict {
  const { signature, timestamp } = headers;
  if (signature === undefined || !SIGNATURE.test(signature)) {
    return { ok: false, status: 401, reason: 'x-slack-signature is missing or not a v0= signature' };
  }
  const ts = Number(timestamp);
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp) || Math.abs(nowSeconds - ts) > MAX_SKEW_SECONDS) {
    return {
      ok: false,
      status: 401,
      reason: 'x-slack-request-timestamp is missing or more than 5 minutes from now: check the clock',
    };
  }
  const expected = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(raw).digest('hex')}`;
  if (!timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) {
    return { ok: false, status: 401, reason: 'signature does not match: check SLACK_SIGNING_SECRET' };
  }
  return { ok: true };
}

/** Slack's retry headers, as Bolt's receiver reads them. */
type SlackRetry = { retryNum?: number; retryReason?: string };

function retryOf(req: Request): SlackRetry {
  const num = Number(req.header('x-slack-retry-num'));
  const reason = req.header('x-slack-retry-reason');
  return { ...(Number.isInteger(num) && num > 0 && { retryNum: num }), ...(reason && { retryReason: reason }) };
}

/** The body as Slack sends it: JSON events, or a form with fields (commands) or a JSON `payload` (actions). */
function parseBody(req: Request, raw: Buffer): unknown {
  const body = raw.toString('utf8');
  if (req.is('application/json') !== false && req.is('application/json') !== null) return JSON.parse(body);
  const form = Object.fromEntries(new URLSearchParams(body));
  return typeof form.payload === 'string' ? JSON.parse(form.payload) : form;
}

/** A signed Events API body, already acknowledged, and Slack's retry headers. */
export type SlackEventHandler = (body: Record<string, unknown>, retry: SlackRetry) => void;

/**
 * In front of Bolt: refuses what Slack did not sign (a v0 signature, a timestamp within 5 minutes
 * either way) with 401, what does not parse with 400, and acknowledges at once, doing nothing,
 * any signed body our listeners do not handle, so no odd body reaches them or hangs for Bolt's
 * 3-second timeout. With `onEvent`, an event (event_callback) is acknowledged here too, as soon as
 * it is checked, and handed to `onEvent`: Bolt would ack it only after its own second signature
 * check, parse and authorize, each a turn of a busy event loop (issue 11: acks at 50 concurrent
 * events). Anything else is handed on with the raw body as req.rawBody, which Bolt reads instead of
 * the stream.
 */
export function slackRequestGuard(options: {
  signingSecret: string;
  logger: Logger;
  now?: () => number;
  onEvent?: SlackEventHandler;
  /**
   * Whether an event can be handled now (the bot's Slack identity is known: slack-identity.ts), or
   * a promise of it. An event that cannot is answered 503, not acknowledged, so Slack sends it again.
   */
  ready?: () => boolean | Promise<boolean>;
}): Router {
  const router = express.Router();
  const now = options.now ?? Date.now;
  const guard: RequestHandler = (req, res, next) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const signed = checkSlackSignature(
      options.signingSecret,
      raw,
      { signature: req.header('x-slack-signature'), timestamp: req.header('x-slack-request-timestamp') },
      Math.floor(now() / 1000),
    );
    if (!signed.ok) {
      options.logger.warn({ path: req.path }, `refused a Slack request: ${signed.reason}`);
      res.status(signed.status).json({ error: 'unauthorized', message: signed.reason });
      return;
    }
    let body: unknown;
    try {
      body = parseBody(req, raw);
    } catch {
      options.logger.warn({ path: req.path }, 'refused a signed Slack request whose body is not JSON or a form');
      res.status(400).json({ error: 'bad_request', message: 'the body is not JSON or a form Slack sends' });
      return;
    }
    const parsed = handled.safeParse(body);
    if (!parsed.success) {
      options.logger.debug({ path: req.path }, 'acknowledged a signed Slack request this app does not handle');
      res.status(200).end();
      return;
    }
    const { onEvent } = options;
    if (onEvent !== undefined && parsed.data.type === 'event_callback') {
      const accept = (ready: boolean) => {
        if (!ready) {
          options.logger.error(
            { path: req.path },
            "answered a Slack event 503: the bot's Slack identity is not known (auth.test failed); Slack sends the event again",
          );
          res.status(503).json({ error: 'unavailable', message: 'the bot cannot reach Slack yet; retry later' });
          return;
        }
        res.status(200).end();
        // The body as Slack sent it (the schema only checked it).
        onEvent(body as Record<string, unknown>, retryOf(req));
      };
      const ready = options.ready?.() ?? true;
      if (typeof ready === 'boolean') accept(ready);
      else void ready.then(accept);
      return;
    }
    (req as Request & { rawBody?: Buffer }).rawBody = raw;
    next();
  };
  router.post('/events', express.raw({ type: () => true, limit: '1mb' }), guard);
  return router;
}
