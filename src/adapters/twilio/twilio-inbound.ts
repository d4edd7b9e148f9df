import { z } from 'zod';
import { describeIssues, MessageSidSchema } from './twilio-fields.js';
import type { InboundMessage } from '../../core/conversation.js';

/** The fields of Twilio's incoming-message webhook that the bot relies on. */
const TwilioInboundSchema = z.object({
  MessageSid: MessageSidSchema,
  From: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number'),
  To: z.string().min(1),
  Body: z.string().max(1600).default(''),
});

type ParsedInbound = { ok: true; message: InboundMessage } | { ok: false; reason: string };

/** Turns a signed, form-decoded webhook body into an InboundMessage, or says what is wrong with it. */
export function parseTwilioInbound(body: unknown, receivedAt: number): ParsedInbound {
  const result = TwilioInboundSchema.safeParse(body ?? {});
  if (!result.success) {
    const reason = describeIssues(result.error);
    return { ok: false, reason };
  }
  const { MessageSid, From, Body } = result.data;
  return {
    ok: true,
    message: {
      channel: 'sms',
      participant: From,
      conversationKey: From,
      provider: 'twilio',
      externalId: MessageSid,
      text: Body,
      receivedAt,
    },
  };
}
