import express, { Router } from 'express';
import twilio from 'twilio';
import type { HandleInbound } from '../../core/driving-ports.js';
import { maskParticipant } from '../../core/mask-participant.js';
import type { Logger } from '../../core/logger.js';
import { parseAdvisorCommand } from './advisor-commands.js';
import { parseTwilioInbound } from './twilio-inbound.js';
import { verifyTwilioSignature } from './verify-twilio-signature.js';

/** PJ's own phone: texts from it are his commands, never a client's message. */
interface AdvisorSms {
  /** E.164, as Twilio sends From (ADVISOR_NOTIFY_SMS). */
  number: string;
  /**
   * Runs one command once per message id (Twilio retries a webhook with the same MessageSid) and
   * returns the one-line answer texted back to him; null when a repeat finds no answer yet.
   */
  run: (text: string, messageId: string) => Promise<{ answer: string | null; repeated: boolean }>;
}

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

function twiml(replies: string[]): string {
  const response = new twilio.twiml.MessagingResponse();
  for (const text of replies) response.message(text);
  return response.toString();
}

/**
 * POST /sms: Twilio's incoming-message webhook. Replies travel back in the TwiML response.
 * With `advisor`, a text from PJ's own number is a command (list, 42 <text>, 42 back, 42 close)
 * and its answer is texted back to him the same way.
 */
export function createTwilioRouter(options: TwilioRoutesOptions): Router {
  const { authToken, publicBaseUrl, webhookOverrides, handleInbound, logger, now, advisor } = options;
  const router = Router();
  // NOTE: the parser sits on this route only; a global one would break Slack's raw-body signing.
  router.post(
    '/sms',
    express.urlencoded({ extended: false, limit: '64kb' }),
    verifyTwilioSignature({
      authToken,
      publicBaseUrl,
      logger,
      what: 'webhook',
      ...(webhookOverrides !== undefined && { fragment: webhookOverrides }),
    }),
    async (req, res, next) => {
      const parsed = parseTwilioInbound(req.body, now());
      if (!parsed.ok) {
        logger.warn({ reason: parsed.reason }, 'rejected Twilio webhook: body is not an incoming message');
        res.status(400).type('text/plain').send(`Bad Request: ${parsed.reason}\n`);
        return;
      }
      const { message } = parsed;
      if (advisor && message.participant === advisor.number) {
        try {
          const { answer, repeated } = await advisor.run(message.text, message.externalId);
          const command = parseAdvisorCommand(message.text);
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
          res.type('text/xml').send(twiml(answer === null ? [] : [answer]));
        } catch (error) {
          next(error);
        }
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
    },
  );
  return router;
}
