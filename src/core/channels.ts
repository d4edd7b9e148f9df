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
   * request that brought the message (TwiML to Twilio's webhook, JSON to the web chat's POST);
   * posted: with the provider's API after the webhook is acknowledged. Either way everything else
   * (PJ's replies, reminders, hand-backs) goes through the channel's ClientSender in the outbox.
   */
  replies: 'webhookResponse' | 'posted';
  /**
   * Which notices about its conversations reach PJ's phone. all: every one that needs him;
   * capped: anyone on the internet can type there, so at most one per conversation and a limit
   * per hour across them (his desk and console still get everything).
   */
  phoneNotices: 'all' | 'capped';
  /**
   * Whether the texts the bot starts (holding texts, hand-back lines) wait for the client's
   * daytime (QUIET_HOURS). phone: yes, by the number's time zone, as a phone buzzes at night;
   * none: they go at once (Slack keeps its own notification schedule, a web page makes no sound).
   */
  quietHours: 'phone' | 'none';
}

/**
 * Every channel a client can talk to the bot on. Adding one here makes the compiler point at
 * every place that must handle it: the ClientSender registry in compose.ts, the switches that
 * end in `const _never: never = channel`, and the adapter that receives its messages.
 */
export const CHANNELS = {
  sms: {
    label: 'SMS',
    carrierKeywords: true,
    stop: 'optOut',
    replies: 'webhookResponse',
    phoneNotices: 'all',
    quietHours: 'phone',
  },
  slack: {
    label: 'Slack',
    carrierKeywords: false,
    stop: 'end',
    replies: 'posted',
    phoneNotices: 'all',
    quietHours: 'none',
  },
  /** The chat widget on PJ's own pages (and the demo page at GET /): a visitor's browser session. */
  web: {
    label: 'Web chat',
    carrierKeywords: false,
    stop: 'end',
    replies: 'webhookResponse',
    phoneNotices: 'capped',
    quietHours: 'none',
  },
} as const satisfies Record<string, ChannelTraits>;

export type Channel = keyof typeof CHANNELS;

// NOTE: Object.keys types its result as string[]; the keys of a const object literal are exactly Channel.
/** The channels' ids, for zod enums and loops. */
export const CHANNEL_IDS = Object.keys(CHANNELS) as [Channel, ...Channel[]];
