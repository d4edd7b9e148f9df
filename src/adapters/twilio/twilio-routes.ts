import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { Router, type RequestHandler } from 'express';
import type { HandleInbound } from '../../core/driving-ports.js';
import { maskParticipant } from '../../core/mask-participant.js';
import type { Logger } from '../../core/logger.js';
import type { Admission, CommandGate } from './advisor-command-gate.js';
import { parseAdvisorCommand } from './advisor-commands.js';
import { FORM_LIMIT, isPlainForm, readForm } from './twilio-form.js';
import { parseTwilioInbound } from './twilio-inbound.js';
import { renderTwiml } from './twilio-twiml.js';
import { createTwilioSignatureCheck } from './verify-twilio-signature.js';

/** PJ's own phone: texts from it are his commands, never a client's message. */
interface AdvisorSms {
  /** E.164, as Twilio sends From (ADVISOR_NOTIFY_SMS). */
  number: string;
  /**
   * Runs one command once per message id (Twilio retries a webhook with the same MessageSid) and
   * returns the one-line answer texted back to him; null when a repeat finds no answer yet.
   */
  run: (text: string, messageId: string) => Promise<{ answer: string | null; repeated: boolean }>;
  /** ADVISOR_COMMAND_PIN and the limits, before anything runs. */
  gate: CommandGate;
  /**
   * Shows PJ's other surfaces a text that ran nothing for want of the right PIN, once per message
   * id; `command` is the text without anything that looked like a PIN.
   */
  refused: (command: string, messageId: string) => Promise<void>;
}

const IGNORED: Record<Exclude<Admission, { ok: true }>['reason'], string> = {
  pin: 'ignored a text from the advisor number: no ADVISOR_COMMAND_PIN or a wrong one; nothing ran, no reply',
  locked: 'ignored a text from the advisor number: too many wrong PINs in the last 15 minutes; nothing ran, no reply',
  rate: 'ignored a text from the advisor number: more commands than allowed per minute; nothing ran, no reply',
};

interface TwilioRoutesOptions {
  authToken: string;
  /** The public origin Twilio calls, e.g. https://bot.example.com; signatures cover it. */
  publicBaseUrl: string;
  /** TWILIO_WEBHOOK_OVERRIDES: the connection overrides after the # of the webhook URL set in Twilio. */
  webhookOverrides?: string;
  handleInbound: HandleInbound;
  logger: Logger;
  now: () => number;
  advisor?: AdvisorSms;
}

/** The TwiML answer, with node's own response (no ETag to compute for a webhook nobody caches). */
function sendTwiml(res: ServerResponse, replies: string[]): void {
  const xml = renderTwiml(replies);
  res.writeHead(200, { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': Buffer.byteLength(xml) });
  res.end(xml);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Where a failure goes: express's error handler, or the server's own for the fast path. */
type Fail = (error: unknown) => void;

/**
 * POST /twilio/sms, two ways in. `plain` takes a form isPlainForm accepts (what Twilio sends) with
 * node's own request and response, no express, and returns true; anything else it leaves, false.
 * The server offers it every such request before express sees it (issue 11: express's own work per
 * request was about 140 µs, a quarter of a text's). `express` is the route for the rest: plain forms
 * the same way, others through express.urlencoded with its 413 and 415.
 */
export interface TwilioSmsHandler {
  /** `path`: what Twilio signed after PUBLIC_BASE_URL, the request's own URL unless mounted under a router. */
  plain(req: IncomingMessage, res: ServerResponse, fail: Fail, path?: string): boolean;
  express: RequestHandler;
}

/**
 * Twilio's incoming-message webhook as one handler, for POST /twilio/sms. Replies travel back in
 * the TwiML response. With `advisor`, a text from PJ's own number is a command (list, 42 <text>,
 * 42 back, 42 close) and its answer is texted back to him the same way.
 *
 * The form Twilio sends (UTF-8, a Content-Length within 64 KiB) is read and parsed by twilio-form.ts
 * without the general body parser, with the same result; anything else goes through
 * express.urlencoded, which answers 413 and 415 as it always has. The server mounts it as its
 * first route (create-server.ts), so a webhook does not walk the routers of the other paths.
 */
export function createTwilioSmsHandler(options: TwilioRoutesOptions): TwilioSmsHandler {
  const { authToken, publicBaseUrl, webhookOverrides, handleInbound, logger, now, advisor } = options;
  const signed = createTwilioSignatureCheck({
    authToken,
    publicBaseUrl,
    logger,
    what: 'webhook',
    ...(webhookOverrides !== undefined && { fragment: webhookOverrides }),
  });

  async function answer(body: unknown, res: ServerResponse, fail: Fail): Promise<void> {
    const parsed = parseTwilioInbound(body, now());
    if (!parsed.ok) {
      logger.warn({ reason: parsed.reason }, 'rejected Twilio webhook: body is not an incoming message');
      sendText(res, 400, `Bad Request: ${parsed.reason}\n`);
      return;
    }
    const { message } = parsed;
    try {
      if (advisor && message.participant === advisor.number) {
        // NOTE: the PIN goes no further than this: what runs, is stored and is logged is without it.
        const admitted = advisor.gate.admit(message.text, now());
        if (!admitted.ok) {
          const asked = parseAdvisorCommand(admitted.command);
          logger.warn(
            {
              from: maskParticipant(message.participant),
              command: asked.kind,
              ...('id' in asked && { conversationId: asked.id }),
            },
            IGNORED[admitted.reason],
          );
          if (admitted.reason === 'pin') await advisor.refused(admitted.command, message.externalId);
          sendTwiml(res, []);
          return;
        }
        const { answer, repeated } = await advisor.run(admitted.text, message.externalId);
        const command = parseAdvisorCommand(admitted.text);
        logger.info(
          {
            from: maskParticipant(message.participant),
            command: command.kind,
            ...('id' in command && { conversationId: command.id }),
          },
          repeated
            ? 'repeated Twilio message from the advisor: sent the same answer again'
            : 'handled advisor command by SMS',
        );
        sendTwiml(res, answer === null ? [] : [answer]);
        return;
      }
      const result = await handleInbound(message);
      // Debug, not info: one line per text would cost every text a write.
      logger.debug(
        {
          from: maskParticipant(message.participant),
          conversationId: result.conversationId,
          duplicate: result.duplicate,
          replies: result.replies.length,
        },
        result.duplicate ? 'repeated Twilio message: sent the same reply again' : 'handled SMS',
      );
      sendTwiml(res, result.replies);
    } catch (error) {
      fail(error);
    }
  }

  const plain: TwilioSmsHandler['plain'] = (req, res, fail, path = req.url ?? '') => {
    if (!isPlainForm(req.headers)) return false;
    readForm(req).then((params) => {
      if (signed(req, res, path, params)) void answer(params, res, fail);
    }, fail);
    return true;
  };

  // NOTE: the parser sits on this route only; a global one would break Slack's raw-body signing.
  const urlencoded = express.urlencoded({ extended: false, limit: FORM_LIMIT });
  return {
    plain,
    express(req, res, next) {
      if (plain(req, res, next, req.originalUrl)) return;
      // As express would: a truthy argument is the parser's error (413, 415, 400).
      void urlencoded(req, res, (error?: unknown) => {
        if (error !== undefined && error !== null && error !== false) {
          next(error);
          return;
        }
        const body = (req.body as Record<string, unknown> | undefined) ?? {};
        if (signed(req, res, req.originalUrl, body)) void answer(req.body, res, next);
      });
    },
  };
}

/** POST /sms (the webhook above) on a router of its own, to mount at /twilio. */
export function createTwilioRouter(options: TwilioRoutesOptions): Router {
  return Router().post('/sms', createTwilioSmsHandler(options).express);
}
