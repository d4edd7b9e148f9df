import { z } from 'zod';

/**
 * The web chat's words as the visitor's panel shows them. The bot's replies come from the same
 * says as on SMS and Slack: a question's choices become buttons, the verdict a small card.
 */

/** A button under a question: `value` is what the panel sends back ("product:2"). */
const WebChoiceSchema = z.object({ label: z.string(), value: z.string() });

/** The verdict as a card: headline, reason, Type advice, and ways to reach PJ. */
const WebCardSchema = z.object({
  headline: z.string(),
  reason: z.string(),
  advice: z.array(z.string()),
  handoff: z.string(),
  /** "Text PJ" (sms:) and "Call PJ" (tel:). */
  links: z.array(z.object({ label: z.string(), href: z.string().regex(/^(sms|tel):\+?\d+$/) })),
});

/** One thing shown in the panel, as stored. */
export const WebLineSchema = z.object({
  text: z.string(),
  choices: z.array(WebChoiceSchema).optional(),
  card: WebCardSchema.optional(),
  /** The bot offers a field for an email or phone number under it (the conversation is flagged for PJ). */
  askContact: z.literal(true).optional(),
  /** The visitor's line is the contact they left there. */
  leftContact: z.literal(true).optional(),
});

export type WebCard = z.infer<typeof WebCardSchema>;
export type WebLine = z.infer<typeof WebLineSchema>;

/** Who a line is from: the visitor, the bot, or PJ himself. */
export type WebAuthor = 'visitor' | 'bot' | 'advisor';
export const WEB_AUTHORS = ['visitor', 'bot', 'advisor'] as const satisfies readonly WebAuthor[];

/** A line to store in a session's history. */
export interface WebEventDraft {
  from: WebAuthor;
  line: WebLine;
  /** The visitor's message id (chosen by their browser) this line answers or is; null for later lines. */
  messageId: string | null;
}

/** A stored line of a session's history; ids increase in the order lines were stored. */
export interface WebEvent extends WebEventDraft {
  id: number;
  conversationId: number;
  /** Epoch ms. */
  at: number;
  /** When the visitor's panel showed it (epoch ms), or null. */
  seenAt: number | null;
}
