import express, { Router } from 'express';
import { z } from 'zod';
import { OPTED_OUT_CODE, type DeliveryOutcome } from '../../core/delivery-error.js';
import type { Logger } from '../../core/logger.js';
import type { OutboxItem, OutboxStore } from '../../core/ports.js';
import { describeIssues, MessageSidSchema } from './twilio-fields.js';
import { verifyTwilioSignature } from './verify-twilio-signature.js';

interface TwilioStatusRoutesOptions {
  authToken: string;
  /** The public origin Twilio calls, e.g. https://bot.example.com; signatures cover it. */
  publicBaseUrl: string;
  store: Pick<OutboxStore, 'recordDelivery'>;
  now: () => number;
  logger: Logger;
  /** Tells PJ a text to the client was not delivered (21610 also opts the client out); resolves to whether he was told. */
  onDeliveryProblem: (item: OutboxItem, outcome: DeliveryOutcome) => Promise<boolean>;
}

// NOTE: an empty form field means "absent": Twilio sends ErrorCode only when there is one.
const blankIsAbsent = (v: unknown) => (v === '' ? undefined : v);

/** The fields of Twilio's message status callback that the bot relies on. */
const StatusSchema = z.object({
  MessageSid: MessageSidSchema,
  MessageStatus: z.string().regex(/^[a-z_]{1,32}$/, 'must be a message status like sent, delivered or undelivered'),
  ErrorCode: z.preprocess(
    blankIsAbsent,
    z
      .string()
      .regex(/^\d{1,6}$/, 'must be a Twilio error code')
      .optional(),
  ),
});

type StatusUpdate = z.infer<typeof StatusSchema>;

/** A final failure (or an opt-out) of a text to the client is PJ's business; anything else is just recorded. */
function isProblem(update: StatusUpdate): boolean {
  return (
    update.ErrorCode === OPTED_OUT_CODE || update.MessageStatus === 'failed' || update.MessageStatus === 'undelivered'
  );
}

/** POST /status: Twilio's delivery status callbacks for messages the outbox sent. */
export function createTwilioStatusRouter(options: TwilioStatusRoutesOptions): Router {
  const { authToken, publicBaseUrl, store, now, logger, onDeliveryProblem } = options;
  const router = Router();

  async function tellAdvisor(item: OutboxItem, update: StatusUpdate): Promise<void> {
    const code = update.ErrorCode ?? null;
    const outcome = { problem: 'failed', code, detail: code ?? update.MessageStatus } as const;
    const told = await onDeliveryProblem(item, outcome);
    if (told)
      logger.warn(
        { outboxId: item.id, conversationId: item.conversationId, code },
        'Twilio could not deliver a text to the client; told PJ',
      );
  }

  // NOTE: the parser sits on this route only; a global one would break Slack's raw-body signing.
  router.post(
    '/status',
    express.urlencoded({ extended: false, limit: '64kb' }),
    verifyTwilioSignature({ authToken, publicBaseUrl, logger, what: 'status callback' }),
    async (req, res, next) => {
      const parsed = StatusSchema.safeParse(req.body ?? {});
      if (!parsed.success) {
        const reason = describeIssues(parsed.error);
        logger.warn({ reason }, 'rejected Twilio status callback: body is not a message status');
        res.status(400).type('text/plain').send(`Bad Request: ${reason}\n`);
        return;
      }
      const update = parsed.data;
      try {
        const item = await store.recordDelivery(
          update.MessageSid,
          update.MessageStatus,
          update.ErrorCode ?? null,
          now(),
        );
        if (item === null) {
          // A message sent some other way (a TwiML reply, the console): nothing to record, and no retry wanted.
          logger.info(
            { messageSid: update.MessageSid, status: update.MessageStatus },
            'Twilio status for a message the outbox did not send',
          );
          res.status(200).end();
          return;
        }
        logger.info(
          { outboxId: item.id, status: update.MessageStatus, errorCode: update.ErrorCode },
          'recorded Twilio delivery status',
        );
        if (isProblem(update)) await tellAdvisor(item, update);
        res.status(204).end();
      } catch (error) {
        next(error);
      }
    },
  );
  return router;
}
