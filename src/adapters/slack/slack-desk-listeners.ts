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
import { createDeskAccess, type DeskActor, type DeskAdvisor } from './slack-desk-access.js';
import { escapeSlackText, unescapeSlackText } from './slack-sender.js';

interface DeskListenerOptions {
  /** SLACK_HANDOFF_CHANNEL. */
  channel: string;
  store: ConversationStore & DeskThreadStore & AdvisorLog;
  actions: AdvisorActions;
  /** SLACK_ADVISOR_USER_IDS: the only people whose clicks and thread replies act as PJ. */
  advisors: DeskAdvisor[];
  flow: Flow;
  advisor: Advisor;
  logger: Logger;
}

type Failure = Extract<AdvisorResult, { ok: false }>;
type Client = webApi.WebClient;

/** A message event's fields that say whose it is; user_team and team are absent in some payloads. */
type DeskMessage = MessageEvent & { user_team?: string; team?: string };

/** The reaction on a thread reply that was kept internal. */
const NOTE_REACTION = 'memo';

const NOTE_PREFIX = /^note:\s*/i;

export function registerDeskListeners(app: App, options: DeskListenerOptions): void {
  const { channel, store, actions, flow, advisor, logger } = options;
  const access = createDeskAccess({ channel, advisors: options.advisors, logger });

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
      logger.warn(
        { err: error, channel },
        'could not react in the Slack handoff channel: check the reactions:write scope',
      );
    }
  }

  /**
   * Someone who may not act as PJ tried: only they are told (ephemeral), nothing changes, the log
   * names them, and the conversation's thread says so once per person.
   */
  async function refuse(client: Client, actor: DeskActor, why: string, id: number, threadTs: string | undefined) {
    logger.warn(
      { conversationId: id, user: actor.user, team: actor.team, channel: actor.channel, why },
      'refused a Slack user acting as PJ on the desk: not in SLACK_ADVISOR_USER_IDS, or not in the handoff channel',
    );
    try {
      const text = escapeSlackText(fillCopy(flow.desk.onlyAdvisor, advisor));
      // Where they clicked or wrote, even outside the desk channel.
      if (actor.channel !== undefined) {
        await client.chat.postEphemeral({
          channel: actor.channel,
          user: actor.user,
          text,
          ...(threadTs && { thread_ts: threadTs }),
        });
      }
    } catch (error) {
      logger.warn({ err: error, user: actor.user }, 'could not tell a Slack user that only PJ acts on the desk');
    }
    const [thread, record] = await Promise.all([store.getDeskThread(id), store.get(id)]);
    if (thread === null || thread.channel !== channel || record === null) return;
    const told = await store.onceForAdvisor(
      'slack-desk-refused',
      `${channel}:${thread.ts}:${actor.team ?? ''}:${actor.user}`,
      Date.now(),
      async () => 'told',
    );
    if (told.repeated) return;
    await say(client, thread.ts, fillConversation(flow.desk.notAdvisor, record, flow, advisor, { user: actor.user }));
  }

  // PJ's replies in a conversation's thread: to the client once he has taken over, else internal.
  app.event('message', async ({ event, body, client, context }) => {
    const e = event as DeskMessage;
    if (e.channel !== channel || e.thread_ts === undefined || e.thread_ts === e.ts) return;
    // Edits, joins and bot posts are not PJ writing; a reply also sent to the channel is.
    if ((e.subtype !== undefined && e.subtype !== 'thread_broadcast') || e.bot_id !== undefined || e.user === undefined)
      return;
    const id = await store.findByDeskThread(channel, e.thread_ts);
    if (id === null) return;
    // Slack may deliver one message twice (a retry after a slow ack, another instance): recorded in
    // the database first, so PJ's words reach the client at most once; a failure says so in the thread.
    const seen = await store.onceForAdvisor('slack-desk', `${e.channel}:${e.ts}`, Date.now(), async () => 'received');
    if (seen.repeated) return;
    // NOTE: user_team (shared channels) or team name the writer's workspace; without them it is the request's.
    const actor: DeskActor = { user: e.user, team: e.user_team ?? e.team ?? body.team_id, channel: e.channel };
    const allowed = await access.check(actor, client);
    if (!allowed.ok) {
      await refuse(client, actor, allowed.why, id, e.thread_ts);
      return;
    }
    const by = { surface: 'slack' as const, user: allowed.name };
    const mention = context.botUserId ? new RegExp(`<@${context.botUserId}(\\|[^>]*)?>`, 'g') : null;
    const text = unescapeSlackText((mention ? (e.text ?? '').replace(mention, '') : (e.text ?? '')).trim());
    if (text === '') return;
    const log = { conversationId: id, channel, ts: e.ts, user: allowed.name };
    try {
      if (NOTE_PREFIX.test(text)) {
        await actions.note(id, text.replace(NOTE_PREFIX, ''), by);
        await react(client, e.ts, NOTE_REACTION);
        logger.info(log, 'internal note from the handoff channel');
        return;
      }
      const record = await store.get(id);
      if (record !== null && (record.status === 'bot' || record.status === 'waiting')) {
        // Not taken over: nothing reaches the client unless PJ means it (the Take over button).
        await actions.note(id, text, by);
        await react(client, e.ts, NOTE_REACTION);
        await whisper(client, e.user, e.thread_ts, fillConversation(flow.desk.internal, record, flow, advisor));
        logger.info(log, 'reply before take over kept internal');
        return;
      }
      const result = await actions.reply(id, text, by, { channel, ts: e.ts });
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
    const from = body.channel?.id ?? body.container.channel_id;
    const actor: DeskActor = { user: body.user.id, team: body.user.team_id ?? body.team?.id, channel: from };
    const allowed = await access.check(actor, client);
    if (!allowed.ok) {
      await refuse(client, actor, allowed.why, id, body.message?.thread_ts ?? body.message?.ts);
      return;
    }
    const threadTs = async () => (await store.getDeskThread(id))?.ts ?? body.message?.thread_ts ?? body.message?.ts;
    const log = { conversationId: id, action: action.action_id, user: allowed.name };
    try {
      // Idempotent: a double click, a retried request or a click racing PJ's phone changes it once.
      const result = await button.run(id, { surface: 'slack', user: allowed.name });
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
