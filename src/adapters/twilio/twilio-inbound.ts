import { z } from 'zod';
import { describeIssues, MessageSidSchema } from './twilio-fields.js';
import type { InboundMessage } from '../../core/conversation.js';
import type { InboundMedia } from '../../core/media.js';

/** Twilio attaches at most 10 media to one message. */
const MAX_MEDIA = 10;

/** The fields of Twilio's incoming-message webhook that the bot relies on. */
const TwilioInboundSchema = z.object({
  MessageSid: MessageSidSchema,
  From: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number'),
  To: z.string().min(1),
  Body: z.string().max(1600).default(''),
  NumMedia: z.coerce.number().int().min(0).max(MAX_MEDIA).default(0),
  // NOTE: Twilio's guess from the number ("CA", "ON"); empty when it has none. Only a short code is kept.
  FromState: z.string().optional(),
});

/** MediaUrlN and MediaContentTypeN, for N below NumMedia. */
const MediaSchema = z.object({
  url: z.url({ protocol: /^https$/ }),
  contentType: z.string().trim().min(1).max(255),
});

type ParsedInbound = { ok: true; message: InboundMessage } | { ok: false; reason: string };

function parseMedia(
  body: Record<string, unknown>,
  count: number,
): { ok: true; media: InboundMedia[] } | { ok: false; reason: string } {
  const media: InboundMedia[] = [];
  for (let i = 0; i < count; i += 1) {
    const item = MediaSchema.safeParse({ url: body[`MediaUrl${i}`], contentType: body[`MediaContentType${i}`] });
    if (!item.success) {
      const reason = item.error.issues.map(
        (issue) => `${issue.path[0] === 'url' ? 'MediaUrl' : 'MediaContentType'}${i}: ${issue.message}`,
      );
      return { ok: false, reason: reason.join('; ') };
    }
    media.push(item.data);
  }
  return { ok: true, media };
}

const MESSAGE_SID = /^(SM|MM)[0-9a-fA-F]{32}$/;
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * What TwilioInboundSchema makes of the usual webhook (a text without media), checked by hand;
 * null for anything else, which the schema reads (and explains when it is wrong).
 */
function usualInbound(body: unknown): z.infer<typeof TwilioInboundSchema> | null {
  if (typeof body !== 'object' || body === null) return null;
  const { MessageSid, From, To, Body, NumMedia, FromState } = body as Record<string, unknown>;
  if (
    typeof MessageSid !== 'string' ||
    !MESSAGE_SID.test(MessageSid) ||
    typeof From !== 'string' ||
    !E164.test(From) ||
    typeof To !== 'string' ||
    To.length === 0 ||
    (Body !== undefined && (typeof Body !== 'string' || Body.length > 1600)) ||
    (NumMedia !== undefined && NumMedia !== '0') ||
    (FromState !== undefined && typeof FromState !== 'string')
  )
    return null;
  return {
    MessageSid,
    From,
    To,
    Body: Body ?? '',
    NumMedia: 0,
    ...(FromState !== undefined && { FromState }),
  };
}

/** Turns a signed, form-decoded webhook body into an InboundMessage, or says what is wrong with it. */
export function parseTwilioInbound(body: unknown, receivedAt: number): ParsedInbound {
  const usual = usualInbound(body);
  const result = usual !== null ? { success: true as const, data: usual } : TwilioInboundSchema.safeParse(body ?? {});
  if (!result.success) {
    const reason = describeIssues(result.error);
    return { ok: false, reason };
  }
  const { MessageSid, From, Body, NumMedia, FromState } = result.data;
  const media = parseMedia(body as Record<string, unknown>, NumMedia);
  if (!media.ok) return media;
  const region = FromState?.trim().toUpperCase();
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
      ...(media.media.length > 0 && { media: media.media }),
      ...(region !== undefined && /^[A-Z]{2}$/.test(region) && { region }),
    },
  };
}
