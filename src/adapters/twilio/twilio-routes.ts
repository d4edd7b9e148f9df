import express, { Router } from 'express';
import twilio from 'twilio';
import type { HandleInbound } from '../../app/handle-inbound.js';
import { maskParticipant } from '../../core/mask-participant.js';
import type { Logger } from '../log/create-logger.js';
import { parseTwilioInbound } from './twilio-inbound.js';

export interface TwilioRoutesOptions {
  authToken: string;
  /** The public origin Twilio calls, e.g. https://bot.example.com; signatures cover it. */
  publicBaseUrl: string;
  handleInbound: HandleInbound;
  logger: Logger;
  now: () => number;
}

function twiml(replies: string[]): string {
  const response = new twilio.twiml.MessagingResponse();
  for (const text of replies) response.message(text);
  return response.toString();
}

/** POST /sms: Twilio's incoming-message webhook. Replies travel back in the TwiML response. */
export function createTwilioRouter(options: TwilioRoutesOptions): Router {
  const { authToken, publicBaseUrl, handleInbound, logger, now } = options;
  const router = Router();
  // NOTE: the parser sits on this route only; a global one would break Slack's raw-body signing.
  router.post('/sms', express.urlencoded({ extended: false, limit: '64kb' }), async (req, res, next) => {
    const signature = req.header('X-Twilio-Signature');
    // NOTE: validate against the public URL: behind a proxy the Host header is not what Twilio signed.
    const url = publicBaseUrl + req.originalUrl;
    if (!signature || !twilio.validateRequest(authToken, signature, url, req.body ?? {})) {
      logger.warn(
        { url, hasSignature: Boolean(signature) },
        'rejected Twilio webhook: signature missing or wrong; check TWILIO_AUTH_TOKEN and that PUBLIC_BASE_URL + path matches the webhook URL set in Twilio',
      );
      res.status(403).type('text/plain').send('Forbidden: X-Twilio-Signature is missing or does not match\n');
      return;
    }
    const parsed = parseTwilioInbound(req.body, now());
    if (!parsed.ok) {
      logger.warn({ reason: parsed.reason }, 'rejected Twilio webhook: body is not an incoming message');
      res.status(400).type('text/plain').send(`Bad Request: ${parsed.reason}\n`);
      return;
    }
    try {
      const result = await handleInbound(parsed.message);
      logger.info(
        {
          from: maskParticipant(parsed.message.participant),
          conversationId: result.conversationId,
          duplicate: result.duplicate,
          replies: result.replies.length,
        },
        result.duplicate ? 'repeated Twilio message: sent the same reply again' : 'handled SMS',
      );
      res.type('text/xml').send(twiml(result.replies));
    } catch (error) {
      next(error);
    }
  });
  return router;
}
