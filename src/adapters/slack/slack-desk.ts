import { webApi, type types } from '@slack/bolt';
import type { ConversationRecord, TranscriptEntry } from '../../core/conversation.js';
import type { Flow } from '../../core/flow.js';
import type { InboundMedia } from '../../core/media.js';
import type { AdvisorDesk, AdvisorNotice, ConversationStore, DeskThreadStore } from '../../core/ports.js';
import type { ClientTimeView } from '../../core/render-client-time.js';
import { fillConversation, renderNotice, withMediaLabel } from '../../core/render-notice.js';
import type { Logger } from '../../core/logger.js';
import { fillCopy, type Advisor } from '../../core/render-reply.js';
import { escapeSlackText, toDeliveryError } from './slack-sender.js';

type Block = types.KnownBlock;

/** The buttons on a desk thread's header; each carries the conversation id as its value. */
export const DESK_ACTION = {
  takeOver: 'desk_takeover',
  release: 'desk_release',
  close: 'desk_close',
} as const;

export interface SlackDeskOptions {
  client: webApi.WebClient;
  /** SLACK_HANDOFF_CHANNEL: a channel id the bot is a member of. */
  channel: string;
  store: Pick<ConversationStore, 'get'> & Pick<DeskThreadStore, 'getDeskThread' | 'setDeskThread'>;
  flow: Flow;
  advisor: Advisor;
  /** The client's local time now, for the header; null (or absent) where the channel has none. */
  clientLocalTime?: (conversation: ConversationRecord) => ClientTimeView | null;
}

/** The reaction on PJ's reply once the client has it. */
const DELIVERED_REACTION = 'white_check_mark';

/** How many of the latest transcript lines the header shows. */
const HEADER_LINES = 5;
const LINE_CHARS = 280;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

function who(entry: TranscriptEntry, flow: Flow, advisor: Advisor): string {
  if (entry.author === 'user') return fillCopy(flow.desk.client, advisor);
  if (entry.author === 'bot') return fillCopy(flow.desk.bot, advisor);
  return advisor.name;
}

/**
 * Links to what the client attached, named by content type. Slack shows a picture under its link
 * when it can fetch it (Twilio's media URLs are public unless the account protects them).
 */
function mediaLinks(media: readonly InboundMedia[] | undefined): string {
  // NOTE: <, > and | end a Slack link; a URL from Twilio has none, but one must not break the message.
  const safe = (url: string) => url.replace(/[<>|]/g, (c) => encodeURIComponent(c));
  return (media ?? []).map((m) => `<${safe(m.url)}|${escapeSlackText(m.contentType)}>`).join(' ');
}

function transcriptLine(entry: TranscriptEntry, flow: Flow, advisor: Advisor): string {
  const said = withMediaLabel(clip(entry.text.replace(/\s+/g, ' ').trim(), LINE_CHARS), entry.media, flow);
  const words = [escapeSlackText(said), mediaLinks(entry.media)].filter((part) => part !== '').join(' ');
  const speaker = who(entry, flow, advisor);
  // Events (takeovers, notes) are set apart from what was said to or by the client.
  return entry.direction === 'event' ? `_${speaker}: ${words}_` : `*${speaker}:* ${words}`;
}

const button = (actionId: string, text: string, value: string, style?: 'primary' | 'danger'): types.Button => ({
  type: 'button',
  action_id: actionId,
  text: { type: 'plain_text', text },
  value,
  ...(style && { style }),
});

/** The header's fields, in order; each shows the placeholder of the same name. */
const FIELDS = ['channel', 'sender', 'product', 'asker', 'verdict', 'reasons'] as const;

/**
 * The thread's first message: who, what they answered in their own words, the verdict, why PJ
 * is needed, the last lines, and the buttons.
 */
function deskHeader(
  notice: AdvisorNotice,
  c: ConversationRecord,
  transcript: TranscriptEntry[],
  flow: Flow,
  advisor: Advisor,
  clientTime: ClientTimeView | null,
): { text: string; blocks: Block[] } {
  const t = flow.desk;
  const flagged = notice.kind === 'flagged';
  const conversation = { ...c, flags: flagged ? notice.reasons : c.flags };
  const fill = (template: string) => escapeSlackText(fillConversation(template, conversation, flow, advisor));
  const label = (text: string) => escapeSlackText(fillCopy(text, advisor));
  const field = (name: (typeof FIELDS)[number]): types.MrkdwnElement => ({
    type: 'mrkdwn',
    text: `*${label(t.fields[name])}*\n${fill(`{${name}}`)}`,
  });
  const blocks: Block[] = [
    { type: 'section', text: { type: 'mrkdwn', text: fill(flagged ? t.headline : t.headlineUnflagged) } },
    { type: 'section', fields: FIELDS.map(field) },
  ];
  // As the header is posted: the client's clock then, and whether the bot's own texts wait for morning.
  if (clientTime !== null) {
    const time = `*${escapeSlackText(clientTime.label)}*\n${escapeSlackText(clientTime.text)}`;
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: time } });
  }
  const last = transcript.slice(-HEADER_LINES);
  if (last.length > 0) {
    const lines = last.map((entry) => transcriptLine(entry, flow, advisor)).join('\n');
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*${label(t.lastMessages)}*\n${lines}` } });
  }
  const id = String(c.id);
  blocks.push(
    {
      type: 'actions',
      block_id: `desk_${id}`,
      elements: [
        button(DESK_ACTION.takeOver, fillCopy(t.buttons.takeOver, advisor), id, 'primary'),
        button(DESK_ACTION.release, fillCopy(t.buttons.release, advisor), id),
        button(DESK_ACTION.close, fillCopy(t.buttons.close, advisor), id, 'danger'),
      ],
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: label(t.hint) }] },
  );
  // The text is what notifications and screen readers get.
  return { text: fill(flagged ? t.summary : t.summaryUnflagged), blocks };
}

/** A notice as a reply in the conversation's thread. */
function deskThreadText(notice: AdvisorNotice, c: ConversationRecord, flow: Flow, advisor: Advisor): string {
  // NOTE: the flagged copy is written for PJ's phone ("Reply 12 <text>"); in the thread he uses the buttons.
  if (notice.kind === 'flagged') {
    return escapeSlackText(fillConversation(flow.desk.flaggedAgain, { ...c, flags: notice.reasons }, flow, advisor));
  }
  const text = escapeSlackText(renderNotice(notice, c, flow, advisor));
  const links = notice.kind === 'clientMessage' ? mediaLinks(notice.media) : '';
  return links === '' ? text : `${text}\n${links}`;
}

/**
 * PJ's desk in SLACK_HANDOFF_CHANNEL: one thread per conversation, opened by a header with
 * buttons on the first notice; every later notice is a reply in that thread.
 */
export function createSlackDesk(options: SlackDeskOptions): AdvisorDesk {
  const { client, channel, store, flow, advisor } = options;

  async function postMessage(
    args: { text: string; blocks?: Block[]; thread_ts?: string },
    what: string,
  ): Promise<string> {
    try {
      const result = await client.chat.postMessage({ channel, ...args });
      if (result.ts === undefined) throw new Error('Slack returned no ts');
      return result.ts;
    } catch (error) {
      throw toDeliveryError(error, `${what} in the handoff channel ${channel}`);
    }
  }

  return {
    async notify(notice, conversation) {
      let thread = await store.getDeskThread(conversation.id);
      // A thread in another channel (SLACK_HANDOFF_CHANNEL changed) is left there; a new one opens here.
      if (thread === null || thread.channel !== channel) {
        const detail = await store.get(conversation.id);
        const clientTime = options.clientLocalTime?.(conversation) ?? null;
        const header = deskHeader(notice, conversation, detail?.transcript ?? [], flow, advisor, clientTime);
        const ts = await postMessage(header, 'posting the header');
        await store.setDeskThread(conversation.id, channel, ts);
        // The header says it all for the opening flag.
        if (notice.kind === 'flagged') return ts;
        thread = { channel, ts };
      }
      const text = deskThreadText(notice, conversation, flow, advisor);
      return postMessage({ text, thread_ts: thread.ts }, 'posting a notice');
    },
    async markDelivered(origin) {
      try {
        await client.reactions.add({ channel: origin.channel, timestamp: origin.ts, name: DELIVERED_REACTION });
      } catch (error) {
        // A retried send marks twice; the first one counts.
        if (error instanceof webApi.WebAPIPlatformError && error.data.error === 'already_reacted') return;
        throw toDeliveryError(error, `reacting :${DELIVERED_REACTION}: in Slack ${origin.channel}`);
      }
    },
  };
}

/**
 * A line in the handoff channel itself, outside any thread: for what concerns PJ but no one
 * conversation (a command from his number without the right PIN). Best effort: a failure is logged.
 */
export function createSlackDeskAlert(options: {
  client: webApi.WebClient;
  channel: string;
  logger: Logger;
}): (text: string) => Promise<void> {
  const { client, channel, logger } = options;
  return async (text) => {
    try {
      await client.chat.postMessage({ channel, text: escapeSlackText(text) });
    } catch (error) {
      logger.error(
        { err: error, channel },
        'could not post an alert in the Slack handoff channel: is the bot a member of it?',
      );
    }
  };
}
