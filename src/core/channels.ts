/** What sets one channel apart from another; everything else about a conversation is the same. */
export interface ChannelTraits {
  /** The channel's name where PJ reads it (notices, the Slack desk header, the web console). */
  label: string;
  /**
   * Whether STOP, START and HELP are the carrier's keywords there: the carrier may already have
   * answered them (SMS_KEYWORD_REPLIES=twilio), and then the bot records their effect silently.
   */
  carrierKeywords: boolean;
  /**
   * What "stop" means. optOut: nothing more is ever sent until START (the law for texts), and HELP
   * says so; end: the conversation ends politely and the next message starts again.
   */
  stop: 'optOut' | 'end';
  /**
   * How the bot's answer to a message reaches the client. webhookResponse: in the answer to the
   * provider's webhook (TwiML); posted: with the provider's API after the webhook is acknowledged.
   * Either way everything else (PJ's replies, reminders, hand-backs) goes through the channel's
   * ClientSender in the outbox.
   */
  replies: 'webhookResponse' | 'posted';
}

/**
 * Every channel a client can talk to the bot on. Adding one here makes the compiler point at
 * every place that must handle it: the ClientSender registry in compose.ts, the switches that
 * end in `const _never: never = channel`, and the adapter that receives its messages.
 */
export const CHANNELS = {
  sms: { label: 'SMS', carrierKeywords: true, stop: 'optOut', replies: 'webhookResponse' },
  slack: { label: 'Slack', carrierKeywords: false, stop: 'end', replies: 'posted' },
} as const satisfies Record<string, ChannelTraits>;

export type Channel = keyof typeof CHANNELS;

// NOTE: Object.keys types its result as string[]; the keys of a const object literal are exactly Channel.
/** The channels' ids, for zod enums and loops. */
export const CHANNEL_IDS = Object.keys(CHANNELS) as [Channel, ...Channel[]];
