import type { Command, InboundMessage } from '../../core/conversation.js';
import type { Awaiting } from '../../core/reading.js';

/** The fields of Slack's message event the listeners read. */
export interface MessageEvent {
  subtype?: string;
  bot_id?: string;
  user?: string;
  text?: string;
  channel: string;
  channel_type?: string;
  ts: string;
  thread_ts?: string;
}

/** Where the bot's reply goes: a DM (by user id) or a channel thread. */
export interface SlackAddress {
  channel: string;
  threadTs?: string;
}

/** A Slack conversation: its store key, the person, and where replies are posted. */
export interface SlackConversation {
  key: string;
  participant: string;
  address: SlackAddress;
}

/** A DM is keyed by team and user; replies go to the user id, which Slack opens as the DM. */
export function dmConversation(team: string, user: string): SlackConversation {
  return { key: `${team}:${user}`, participant: `${team}:${user}`, address: { channel: user } };
}

/** A thread is its own conversation, keyed by team, channel and thread, whoever writes in it. */
export function threadConversation(team: string, user: string, channel: string, threadTs: string): SlackConversation {
  return { key: `${team}:${channel}:${threadTs}`, participant: `${team}:${user}`, address: { channel, threadTs } };
}

/** Where a conversation's messages go, from its key: "T:U" is a DM, "T:C:ts" a thread; null for neither. */
export function addressOfKey(key: string): SlackAddress | null {
  const parts = key.split(':');
  if (parts.length === 2 && parts[1]) return { channel: parts[1] };
  if (parts.length === 3 && parts[1] && parts[2]) return { channel: parts[1], threadTs: parts[2] };
  return null;
}

/** DM channel ids start with D; anything else the app is in is a channel with threads. */
export function isDirectMessage(channel: string): boolean {
  return channel.startsWith('D');
}

export function slackMessage(
  conversation: SlackConversation,
  externalId: string,
  text: string,
  receivedAt: number,
  extra: { command?: Command; answers?: Awaiting } = {},
): InboundMessage {
  return {
    channel: 'slack',
    participant: conversation.participant,
    conversationKey: conversation.key,
    provider: 'slack',
    externalId,
    text,
    receivedAt,
    ...extra,
  };
}

/** "<@U123> we run payroll" -> "we run payroll". */
export function withoutMentions(text: string): string {
  return text.replace(/<@[A-Z0-9]+(\|[^>]*)?>/g, '').trim();
}
