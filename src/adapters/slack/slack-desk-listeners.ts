import type { App, BlockAction, ButtonAction, webApi } from '@slack/bolt';
import type { AdvisorActions, AdvisorResult } from '../../core/driving-ports.js';
import type { Flow } from '../../core/flow.js';
import type { AdvisorLog, ConversationStore, DeskThreadStore } from '../../core/ports.js';
import type { MessageEvent } from './slack-conversations.js';
import { fillConversation } from '../../core/render-notice.js';
import { renderRefusal } from '../../core/render-refusal.js';
import { fillCopy, type Advisor } from '../../core/render-reply.js';
import type { Logger } from '../../core/logger.js';
import { DESK_ACTION } from './slack-desk.js';
import { escapeSlackText, unescapeSlackText } from './slack-sender.js';

interface DeskListenerOptions {
  /** SLACK_HANDOFF_CHANNEL. */
  channel: string;
  store: ConversationStore & DeskThreadStore & AdvisorLog;
  actions: AdvisorActions;
  flow: Flow;
  advisor: Advisor;
  logger: Logger;
}

type Failure = Extract<AdvisorResult, { ok: false }>;
type Client = webApi.WebClient;

/** The reaction on a thread reply that was kept internal. */
const NOTE_REACTION = 'memo';

const NOTE_PREFIX = /^note:\s*/i;

export function registerDeskListeners(app: App, options: DeskListenerOptions): void {
  const { channel, store, actions, flow, advisor, logger } = options;

  /** Why an action did nothing, in words for the thread. */
  const problem = (failure: Failure, id: number): string => renderRefusal(failure.error, id, flow, advisor);
  const ourFault = () => fillCopy(flow.desk.ourFault, advisor);

  async function say(client: Client, threadTs: string, text: string): Promise<void> {
    try {
      await client.chat.postMessage({ channel, thread_ts: threadTs, text: escapeSlackText(text) });
    } catch (error) {
      logger.error({ err: error, channel }, 'could not post in the Slack handoff channel: is the bot a member of it?');
    }
  }

  async function whisper(client: Client, user: string, threadTs: string, text: string): Promise<void> {
    try {
      await client.chat.postEphemeral({ channel, user, thread_ts: threadTs, text: escapeSlackText(text) });
    } catch (error) {
      logger.warn({ err: error, channel }, 'could not post an ephemeral message in the Slack handoff channel');
    }
  }

  async function react(client: Client, ts: string, name: string): Promise<void> {
    try {
      await client.reactions.add({ channel, timestamp: ts, name });
    } catch (error) {
      logger.warn({ err: error, channel }, 'could not react in the Slack handoff channel: check the reactions:write scope');
    }
  }

  // PJ's replies in a conversation's thread: to the client once he has taken over, else internal.
  app.event('message', async ({ event, client, context }) => {
    const e = event as MessageEvent;
    if (e.channel !== channel || e.thread_ts === undefined || e.thread_ts === e.ts) return;
    // Edits, joins and bot posts are not PJ writing; a reply also sent to the channel is.
    if ((e.subtype !== undefined && e.subtype !== 'thread_broadcast') || e.bot_id !== undefined || e.user === undefined) return;
    const id = await store.findByDeskThread(channel, e.thread_ts);
    if (id === null) return;
    // Slack may deliver one message twice (a retry after a slow ack, another instance): recorded in
    // the database first, so PJ's words reach the client at most once; a failure says so in the thread.
    const seen = await store.onceForAdvisor('slack-desk', `${e.channel}:${e.ts}`, Date.now(), async () => 'received');
    if (seen.repeated) return;
    const mention = context.botUserId ? new RegExp(`<@${context.botUserId}(\\|[^>]*)?>`, 'g') : null;
    const text = unescapeSlackText((mention ? (e.text ?? '').replace(mention, '') : (e.text ?? '')).trim());
    if (text === '') return;
    const log = { conversationId: id, channel, ts: e.ts };
    try {
      if (NOTE_PREFIX.test(text)) {
        await actions.note(id, text.replace(NOTE_PREFIX, ''), 'slack');
        await react(client, e.ts, NOTE_REACTION);
        logger.info(log, 'internal note from the handoff channel');
        return;
      }
      const record = await store.get(id);
      if (record !== null && (record.status === 'bot' || record.status === 'waiting')) {
        // Not taken over: nothing reaches the client unless PJ means it (the Take over button).
        await actions.note(id, text, 'slack');
        await react(client, e.ts, NOTE_REACTION);
        await whisper(client, e.user, e.thread_ts, fillConversation(flow.desk.internal, record, flow, advisor));
        logger.info(log, 'reply before take over kept internal');
        return;
      }
      const result = await actions.reply(id, text, 'slack', { channel, ts: e.ts });
      if (result.ok) {
        logger.info(log, 'advisor reply queued for the client');
        return;
      }
      logger.warn({ ...log, error: result.error }, 'advisor reply not sent');
      await say(client, e.thread_ts, fillCopy(flow.desk.notSent, advisor, { problem: problem(result, id) }));
    } catch (error) {
      logger.error({ ...log, err: error }, 'could not handle a reply in the handoff channel');
      await say(client, e.thread_ts, fillCopy(flow.desk.notSent, advisor, { problem: ourFault() }));
    }
  });

  const buttons = {
    [DESK_ACTION.takeOver]: { run: actions.takeOver, failed: flow.desk.couldNot.takeOver },
    [DESK_ACTION.release]: { run: actions.release, failed: flow.desk.couldNot.release },
    [DESK_ACTION.close]: { run: actions.close, failed: flow.desk.couldNot.close },
  };

  app.action<BlockAction<ButtonAction>>(/^desk_(takeover|release|close)$/, async ({ ack, body, action, client }) => {
    await ack();
    const button = buttons[action.action_id as keyof typeof buttons];
    const id = Number(action.value);
    if (button === undefined || !Number.isSafeInteger(id)) return;
    const threadTs = async () => (await store.getDeskThread(id))?.ts ?? body.message?.thread_ts ?? body.message?.ts;
    const log = { conversationId: id, action: action.action_id, user: body.user.id };
    try {
      // Idempotent: a double click, a retried request or a click racing PJ's phone changes it once.
      const result = await button.run(id, 'slack');
      if (result.ok) {
        logger.info({ ...log, changed: result.changed }, 'desk button handled');
        return;
      }
      logger.warn({ ...log, error: result.error }, 'desk button did nothing');
      const ts = await threadTs();
      if (ts === undefined) return;
      const text = fillCopy(button.failed, advisor, { problem: problem(result, id) });
      // Handing back what the bot already has is harmless: only the clicker is told.
      if (result.error === 'not_with_advisor') await whisper(client, body.user.id, ts, text);
      else await say(client, ts, text);
    } catch (error) {
      logger.error({ ...log, err: error }, 'desk button failed');
      const ts = await threadTs().catch(() => undefined);
      if (ts !== undefined) await say(client, ts, fillCopy(button.failed, advisor, { problem: ourFault() }));
    }
  });
}
