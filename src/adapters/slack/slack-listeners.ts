import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { flowIn } from '../../core/localize-flow.js';
import type { Awaiting } from '../../core/reading.js';
import { fillAdvisor, fillCopy } from '../../core/render-reply.js';
import type { Language } from '../../core/languages.js';
import type { Deliver, SlackOptions } from './slack-app.js';
import { ACTION } from './slack-blocks.js';
import {
  dmConversation,
  isDirectMessage,
  slackMessage,
  threadConversation,
  withoutMentions,
  type MessageEvent,
  type SlackConversation,
} from './slack-conversations.js';
import { homeView } from './slack-home.js';

type ListenerOptions = Pick<
  SlackOptions,
  'store' | 'flow' | 'translations' | 'advisorLanguages' | 'advisor' | 'now' | 'logger' | 'desk'
> & {
  deliver: Deliver;
};

/** The conversation a clicked button belongs to: the DM, or the thread the bot's message is in. */
function conversationOfAction(body: BlockAction): SlackConversation {
  const team = body.team?.id ?? body.user.team_id ?? '';
  const channel = body.channel?.id ?? body.container.channel_id ?? '';
  if (isDirectMessage(channel)) return dmConversation(team, body.user.id);
  const threadTs = body.message?.thread_ts ?? body.message?.ts ?? '';
  return threadConversation(team, body.user.id, channel, threadTs);
}

/** The clicked message without its buttons, plus a line saying what was chosen: one click counts. */
function answeredBlocks(body: BlockAction, note: string): unknown[] {
  const blocks = (body.message?.blocks ?? []) as Array<{ type: string }>;
  return [
    ...blocks.filter((b) => b.type !== 'actions'),
    { type: 'context', elements: [{ type: 'mrkdwn', text: note }] },
  ];
}

export function registerSlackListeners(app: App, options: ListenerOptions): void {
  const { store, flow, advisor, now, deliver, logger } = options;
  // The handoff channel is PJ's desk: nobody there is a client (its own listeners handle it).
  const isDesk = (channel: string) => options.desk !== undefined && channel === options.desk.channel;

  app.event('message', async ({ event, body, client, context }) => {
    const e = event as MessageEvent;
    // Edits, joins and bot posts are not someone talking to the bot.
    if (e.subtype !== undefined || e.bot_id !== undefined || e.user === undefined || isDesk(e.channel)) return;
    const team = body.team_id;
    if (e.channel_type === 'im') {
      const conversation = dmConversation(team, e.user);
      await deliver(slackMessage(conversation, body.event_id, e.text ?? '', now()), { channel: e.channel }, client);
      return;
    }
    // A reply in a thread the bot runs, without a mention (a mention arrives as app_mention).
    if (e.thread_ts === undefined || (context.botUserId && e.text?.includes(`<@${context.botUserId}>`))) return;
    const conversation = threadConversation(team, e.user, e.channel, e.thread_ts);
    if ((await store.findOpen('slack', conversation.key)) === null) return;
    await deliver(slackMessage(conversation, body.event_id, e.text ?? '', now()), conversation.address, client);
  });

  app.event('app_mention', async ({ event, body, client }) => {
    if (event.user === undefined || isDesk(event.channel)) return;
    const conversation = threadConversation(body.team_id, event.user, event.channel, event.thread_ts ?? event.ts);
    const text = withoutMentions(event.text);
    await deliver(slackMessage(conversation, body.event_id, text, now()), conversation.address, client);
  });

  app.command('/soc', async ({ command, ack, client }) => {
    // NOTE: a slash command cannot post into a thread, so /soc always answers in the DM.
    await ack();
    const conversation = dmConversation(command.team_id, command.user_id);
    const message = slackMessage(conversation, `command:${command.trigger_id}`, `/soc ${command.text}`.trim(), now(), {
      command: 'restart',
    });
    await deliver(message, conversation.address, client);
  });

  app.action<BlockAction<ButtonAction>>(new RegExp(`^${ACTION.choice}_\\d$`), async ({ ack, body, action, client }) => {
    await ack();
    const [question, number] = action.value?.split(':') ?? [];
    if ((question !== 'product' && question !== 'asker') || number === undefined) return;
    const conversation = conversationOfAction(body);
    const messageTs = body.message?.ts ?? body.container.message_ts ?? '';
    const answers: Awaiting = question;
    const message = slackMessage(conversation, `choice:${body.container.channel_id}:${messageTs}`, number, now(), {
      answers,
    });
    // "Chose: ..." in the conversation's language, as the buttons were.
    const chose = (language: Language) =>
      fillCopy(flowIn(options, language).slackChose, advisor, { choice: action.text.text });
    await deliver(message, conversation.address, client, (language) => markAnswered(body, chose(language), client));
  });

  app.action<BlockAction<ButtonAction>>(ACTION.talkToAdvisor, async ({ ack, body, action, client }) => {
    await ack();
    const conversation = conversationOfAction(body);
    const messageTs = body.message?.ts ?? body.container.message_ts ?? '';
    // The button's label as the client read it (it was worded in their language).
    const label = action.text.text || fillAdvisor(flow.talkToAdvisor, advisor);
    const message = slackMessage(conversation, `talk:${body.container.channel_id}:${messageTs}`, label, now(), {
      command: 'human',
    });
    await deliver(message, conversation.address, client, () => markAnswered(body, label, client));
  });

  app.action<BlockAction<ButtonAction>>(ACTION.start, async ({ ack, body, client }) => {
    await ack();
    const conversation = dmConversation(body.team?.id ?? body.user.team_id ?? '', body.user.id);
    const label = fillAdvisor(flow.slackHome.start, advisor);
    const message = slackMessage(conversation, `start:${body.trigger_id}`, label, now(), { command: 'restart' });
    await deliver(message, conversation.address, client);
  });

  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await client.views.publish({ user_id: event.user, view: homeView(flow, advisor) });
  });

  async function markAnswered(body: BlockAction, note: string, client: Parameters<Deliver>[2]): Promise<void> {
    const channel = body.container.channel_id;
    const ts = body.message?.ts ?? body.container.message_ts;
    if (channel === undefined || ts === undefined) return;
    try {
      await client.chat.update({
        channel,
        ts,
        text: body.message?.text ?? note,
        blocks: answeredBlocks(body, note) as never,
      });
    } catch (error) {
      logger.warn({ err: error }, 'could not remove the buttons from an answered Slack message');
    }
  }
}
