import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { webApi } from '@slack/bolt';
import Database from 'better-sqlite3';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAdvisorActions } from '../../src/app/advisor-actions.js';
import { createInboundHandler } from '../../src/app/handle-inbound.js';
import { createOutboxWorker } from '../../src/app/outbox-worker.js';
import { createServer } from '../../src/adapters/http/create-server.js';
import { createSlackChannel } from '../../src/adapters/slack/slack-app.js';
import { dmConversation, slackMessage } from '../../src/adapters/slack/slack-conversations.js';
import { createSlackDesk, DESK_ACTION } from '../../src/adapters/slack/slack-desk.js';
import { createSlackClientSender, escapeSlackText } from '../../src/adapters/slack/slack-sender.js';
import { createSqliteConversationStore } from '../../src/adapters/sqlite/sqlite-conversation-store.js';
import type { BotSettings } from '../../src/core/bot-settings.js';
import type { InboundMessage } from '../../src/core/conversation.js';
import { DeliveryError } from '../../src/core/delivery-error.js';
import type { AdvisorActions, HandleInbound } from '../../src/core/driving-ports.js';
import type { Store, AdvisorDesk, OutboxDestination, OutboxPayload } from '../../src/core/ports.js';
import { ADVISOR, by, copy, flow } from '../support/copy.js';
import { tempDatabasePath } from '../support/sms-harness.js';
import {
  BOT_USER,
  buttonClick,
  buttonsOf,
  dm,
  interceptSlackApi,
  SIGNING_SECRET,
  slackRequests,
  TEAM,
  type Block,
  type SlackApi,
  type SlackApiAnswer,
  type SlackCall,
  type SlackRequests,
} from '../support/slack-harness.js';
import { captureLogs, recordLog } from '../support/logs.js';
import { botSettings } from '../support/settings.js';

const DESK = 'C0DESK';
const PJ = 'U0PJ';
/** PJ's account in another workspace, listed as TEAM:USER in SLACK_ADVISOR_USER_IDS. */
const GUEST_TEAM = 'T0GUEST';
const GUEST = 'U0GUEST';
/** A colleague in the handoff channel, not in SLACK_ADVISOR_USER_IDS. */
const COLLEAGUE = 'U0COLLEAGUE';
/** Who acted, as the transcript and notices name PJ on the desk. */
const bySlack = (user = PJ) => copy(flow.advisor.byUser, { surface: 'slack', user });

const settle = () => new Promise((r) => setTimeout(r, 150));

async function eventually<T>(check: () => Promise<T>, what: string): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`${what}: ${(error as Error).message}`, { cause: error });
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

let tsCounter = 0;
/** A unique Slack message ts. */
const nextTs = () => `${1800000000 + ++tsCounter}.000200`;

/** PJ (or someone) writing in the handoff channel. */
function deskMessage(text: string, threadTs: string | undefined, user = PJ, ts = nextTs()): Record<string, unknown> {
  return {
    type: 'message',
    channel: DESK,
    channel_type: 'channel',
    user,
    text,
    ts,
    ...(threadTs && { thread_ts: threadTs }),
  };
}

describe('the Slack handoff channel (PJ’s desk)', () => {
  let api: SlackApi;
  let slack: SlackRequests;
  let server: Server;
  let store: Store;
  let databasePath: string;
  let handleInbound: HandleInbound;
  let actions: AdvisorActions;
  let desk: AdvisorDesk;
  let settings: BotSettings;
  let slackClient: webApi.WebClient;
  let logs: string[];
  /** Replies a test queues for a Web API method, used once each, in order. */
  let scripted: Map<string, SlackApiAnswer[]>;

  beforeEach(async () => {
    nock.cleanAll();
    scripted = new Map();
    api = interceptSlackApi((call) => scripted.get(call.method)?.shift());
    databasePath = tempDatabasePath();
    store = createSqliteConversationStore(databasePath);
    settings = botSettings({ botAnswersKeywords: true, handoff: { desk: true } });
    const { logger, lines } = captureLogs();
    logs = lines;
    handleInbound = createInboundHandler(store, settings);
    actions = createAdvisorActions(store, settings, Date.now);
    const channel = createSlackChannel({
      botToken: 'xoxb-test-token',
      signingSecret: SIGNING_SECRET,
      handleInbound,
      store,
      flow,
      advisor: ADVISOR,
      logger,
      now: Date.now,
      retryConfig: { retries: 0 },
      desk: {
        channel: DESK,
        actions,
        advisors: [
          { team: null, user: PJ },
          { team: GUEST_TEAM, user: GUEST },
        ],
      },
    });
    if (channel.router === null) throw new Error('expected Slack over HTTP');
    const http = createServer({
      logger,
      ping: () => store.ping(),
      twilio: { off: 'not in this test' },
      slack: channel.router,
      admin: { off: 'not in this test' },
    });
    server = await new Promise((resolve) => {
      const s = http.listen(0, '127.0.0.1', () => resolve(s));
    });
    slack = slackRequests(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    slackClient = channel.outboxClient;
    desk = createSlackDesk({ client: channel.outboxClient, channel: DESK, store, flow, advisor: ADVISOR });
  });

  afterEach(async () => {
    // A failed beforeEach may leave either unset; the next test must still start clean.
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    await store?.close();
  });

  // --- helpers -------------------------------------------------------------------------------

  const slackText = (user: string, text: string, extra: Partial<InboundMessage> = {}): InboundMessage => ({
    ...slackMessage(dmConversation(TEAM, user), `Ev${randomBytes(6).toString('hex')}`, text, Date.now()),
    ...extra,
  });
  const smsText = (from: string, text: string): InboundMessage => ({
    channel: 'sms',
    participant: from,
    conversationKey: from,
    provider: 'twilio',
    externalId: `SM${randomBytes(16).toString('hex')}`,
    text,
    receivedAt: Date.now(),
  });

  /** A Slack client who answered both questions and then asked for PJ. */
  async function flaggedSlackClient(user: string): Promise<number> {
    await handleInbound(slackText(user, 'we run payroll for small businesses'));
    await handleInbound(slackText(user, 'their CFO asked for it'));
    return (await handleInbound(slackText(user, 'Talk to PJ', { command: 'human' }))).conversationId;
  }

  /** Every outbox row of a conversation, whatever its status. */
  function outbox(id: number): Array<{ destination: OutboxDestination; payload: OutboxPayload }> {
    const db = new Database(databasePath, { readonly: true });
    try {
      const rows = db
        .prepare('SELECT destination, payload FROM outbox WHERE conversation_id = ? ORDER BY id')
        .all(id) as Array<{
        destination: string;
        payload: string;
      }>;
      return rows.map((r) => ({ destination: JSON.parse(r.destination), payload: JSON.parse(r.payload) }));
    } finally {
      db.close();
    }
  }
  const deskNotices = (id: number) =>
    outbox(id).flatMap((o) => (o.destination.kind === 'desk' && o.payload.type === 'notice' ? [o.payload.notice] : []));
  const clientTexts = (id: number) =>
    outbox(id).flatMap((o) => (o.destination.kind === 'client' && o.payload.type === 'text' ? [o.payload] : []));

  /** What the outbox worker will do for the desk: post each due desk notice, in order. */
  async function pumpDesk(): Promise<void> {
    for (;;) {
      const items = await store.claimOutbox(Date.now() + 1_000, 60_000, 100);
      if (items.length === 0) return;
      for (const item of items) {
        let providerId = `not-sent-${item.id}`;
        if (item.destination.kind === 'desk' && item.payload.type === 'notice') {
          const record = await store.get(item.conversationId);
          if (record === null) throw new Error(`no conversation ${item.conversationId}`);
          providerId = await desk.notify(item.payload.notice, record);
        }
        await store.markOutboxSent(item.id, providerId, Date.now());
      }
    }
  }

  const deskPosts = () => api.calls.filter((c) => c.method === 'chat.postMessage' && c.body.channel === DESK);
  const headers = () => deskPosts().filter((c) => c.body.thread_ts === undefined);

  /** Flags a client, posts the desk header and returns the conversation and its header. */
  async function openDesk(user: string): Promise<{ id: number; header: SlackCall; ts: string }> {
    const id = await flaggedSlackClient(user);
    await pumpDesk();
    const thread = await store.getDeskThread(id);
    const header = headers().at(-1);
    if (thread === null || header === undefined) throw new Error('no desk thread');
    return { id, header, ts: thread.ts };
  }

  function click(id: number, header: { ts: string; blocks: unknown }, actionId: string, user = PJ) {
    const button = buttonsOf(header.blocks).find((b) => b.action_id === actionId);
    if (button === undefined) throw new Error(`no ${actionId} button`);
    expect(button.value).toBe(String(id));
    return slack.action(
      buttonClick(user, DESK, header, { action_id: button.action_id, value: button.value, text: button.text.text }),
    );
  }

  async function statusOf(id: number): Promise<string | undefined> {
    return (await store.get(id))?.status;
  }

  // --- tests ---------------------------------------------------------------------------------

  it('opens one thread per flagged conversation: a header with the answers and buttons, later notices in the thread', async () => {
    const id = await flaggedSlackClient('U1');
    expect(deskNotices(id)).toEqual([{ kind: 'flagged', reasons: ['human'] }]);
    await pumpDesk();

    expect(deskPosts()).toHaveLength(1);
    const header = deskPosts()[0];
    const thread = await store.getDeskThread(id);
    expect(thread?.channel).toBe(DESK);
    expect(await store.findByDeskThread(DESK, thread?.ts ?? '')).toBe(id);
    const about = { id, reasons: 'human', sender: 'T0T***:U1', channel: 'Slack' };
    expect(header?.body.text).toBe(copy(flow.desk.summary, about));
    const blocks = header?.body.blocks as Block[];
    expect(blocks[0]?.text?.text).toBe(copy(flow.desk.headline, about));
    expect(blocks[1]?.fields?.map((f) => f.text)).toEqual([
      `*${flow.desk.fields.channel}*\nSlack`,
      `*${flow.desk.fields.sender}*\nT0T***:U1`,
      `*${flow.desk.fields.product}*\nwe run payroll for small businesses`,
      `*${flow.desk.fields.asker}*\ntheir CFO asked for it`,
      `*${flow.desk.fields.verdict}*\n${flow.advisor.labels.soc1}`,
      `*${flow.desk.fields.reasons}*\nhuman`,
    ]);
    const lastLines = blocks[2]?.text?.text ?? '';
    expect(lastLines.startsWith(`*${flow.desk.lastMessages}*\n`)).toBe(true);
    expect(lastLines).toContain(`*${flow.desk.client}:* their CFO asked for it`);
    expect(lastLines).toContain(`*${flow.desk.client}:* ${copy(flow.talkToAdvisor)}`);
    expect(lastLines.split('\n')).toHaveLength(6);
    expect(buttonsOf(blocks).map((b) => [b.action_id, b.text.text, b.value])).toEqual([
      [DESK_ACTION.takeOver, flow.desk.buttons.takeOver, String(id)],
      [DESK_ACTION.release, flow.desk.buttons.release, String(id)],
      [DESK_ACTION.close, flow.desk.buttons.close, String(id)],
    ]);

    // The client writes again: mirrored into the thread, their markup shown as typed, nobody pinged.
    await handleInbound(slackText('U1', 'hello? <!channel> are you there & ready'));
    await pumpDesk();
    const mirrored = deskPosts()[1];
    expect(mirrored?.body).toMatchObject({ channel: DESK, thread_ts: thread?.ts });
    expect(mirrored?.body.text).toBe(`#${id} says: hello? &lt;!channel&gt; are you there &amp; ready`);

    // Flagged again later: into the same thread, no second header.
    const record = await store.get(id);
    if (record === null) throw new Error('no record');
    const ts = await desk.notify({ kind: 'flagged', reasons: ['cost'] }, record);
    const again = deskPosts()[2];
    expect(again?.body).toMatchObject({
      thread_ts: thread?.ts,
      text: copy(flow.desk.flaggedAgain, { id, reasons: 'cost' }),
    });
    expect(ts).not.toBe(thread?.ts);
    expect(headers()).toHaveLength(1);
  });

  it("shows a client's markup and placeholders as typed in the header and the thread: no mention, link or placeholder fires", async () => {
    // Through the real route: the client's DMs as Slack signs and sends them.
    const user = 'U13';
    const product = 'we build {phone} apps <!channel> <@U0PJ> <https://evil.example|click> *fast*';
    const said = async (text: string, count: number) => {
      await slack.event(dm(user, text));
      await eventually(async () => {
        const c = (await store.list({}))[0];
        expect((await store.get(c?.id ?? 0))?.transcript.filter((e) => e.direction === 'in')).toHaveLength(count);
      }, `message ${count} handled`);
    };
    await said(product, 1);
    await said('our CFO {advisor} asked', 2);
    await said('can I talk to a human?', 3);
    const id = (await store.list({}))[0]?.id ?? 0;
    expect(await statusOf(id)).toBe('waiting');
    await pumpDesk();

    const header = headers()[0];
    const blocks = JSON.stringify(header?.body.blocks);
    expect(blocks).not.toMatch(/[<>]/);
    const fields = (header?.body.blocks as Block[])[1]?.fields?.map((f) => f.text) ?? [];
    expect(fields.join('\n')).not.toContain('858-461-8054');
    const answers = (await store.get(id))?.answers;
    expect(answers?.product).toContain('{phone}');
    expect(fields[2]).toBe(`*${flow.desk.fields.product}*\n${escapeSlackText(answers?.product ?? '')}`);
    expect(fields[3]).toBe(`*${flow.desk.fields.asker}*\n${escapeSlackText(answers?.asker ?? '')}`);
    expect(blocks).toContain('&lt;!channel&gt; &lt;@U0PJ&gt; &lt;https://evil.example|click&gt; *fast*');

    const later = 'still there <!here>? ask <@U0PJ> or {advisor} at {phone} about #{id} <https://evil.example> *now*';
    await slack.event(dm(user, later));
    await eventually(
      async () => expect(deskNotices(id).filter((n) => n.kind === 'clientMessage')).toHaveLength(1),
      'mirrored',
    );
    await pumpDesk();
    const mirrored = deskPosts().at(-1)?.body.text;
    expect(mirrored).toBe(copy(flow.advisor.clientMessage, { id, text: escapeSlackText(later) }));
    expect(mirrored).not.toMatch(/[<>]/);
    expect(mirrored).toContain('{advisor} at {phone} about #{id}');
    expect(mirrored).toContain('*now*');
  });

  it('opens the thread with a header even when the first notice is not the flag', async () => {
    const id = (await handleInbound(slackText('U2', 'hi'))).conversationId;
    const record = await store.get(id);
    if (record === null) throw new Error('no record');
    const ts = await desk.notify({ kind: 'tookOver', by: by('console') }, record);
    const [header, notice] = deskPosts();
    const thread = await store.getDeskThread(id);
    expect(header?.body.thread_ts).toBeUndefined();
    expect(header?.body.text).toBe(copy(flow.desk.summaryUnflagged, { id, sender: 'T0T***:U2', channel: 'Slack' }));
    expect(buttonsOf(header?.body.blocks)).toHaveLength(3);
    expect(notice?.body).toMatchObject({
      thread_ts: thread?.ts,
      text: copy(flow.advisor.tookOver, { id, by: by('console') }),
    });
    expect(ts).not.toBe(thread?.ts);
  });

  it('Take over: the conversation is PJ’s, once, whatever the clicks and surfaces', async () => {
    const { id, header } = await openDesk('U3');
    const message = { ts: (await store.getDeskThread(id))?.ts ?? '', blocks: header.body.blocks };
    expect(await statusOf(id)).toBe('waiting');

    // A double click, a retried request and PJ's phone, all at once.
    const clicks = await Promise.all([
      click(id, message, DESK_ACTION.takeOver),
      click(id, message, DESK_ACTION.takeOver),
      slack.action(
        buttonClick(PJ, DESK, message, {
          action_id: DESK_ACTION.takeOver,
          value: String(id),
          text: flow.desk.buttons.takeOver,
        }),
      ),
      actions.takeOver(id, 'sms'),
    ]);
    expect(clicks.slice(0, 3).map((r) => (r as Response).status)).toEqual([200, 200, 200]);
    await eventually(async () => expect(await statusOf(id)).toBe('human'), 'taken over');
    await settle();

    expect(deskNotices(id).filter((n) => n.kind === 'tookOver')).toHaveLength(1);
    const transcript = (await store.get(id))?.transcript ?? [];
    const tookOver = (who: string) => copy(flow.transcript.tookOver, { by: who });
    const takeovers = transcript.filter((t) => t.text === tookOver(bySlack()) || t.text === tookOver(by('sms')));
    expect(takeovers).toHaveLength(1);
    expect(takeovers[0]).toMatchObject({ direction: 'event', author: 'advisor' });
    expect(takeovers[0]?.at).toEqual(expect.any(String));

    await pumpDesk();
    const inThread = deskPosts().filter((c) => c.body.thread_ts !== undefined);
    const noticed = (who: string) => copy(flow.advisor.tookOver, { id, by: who });
    expect(inThread.map((c) => c.body.text)).toEqual([expect.toBeOneOf([noticed(bySlack()), noticed(by('sms'))])]);
    // Nothing failed, so nothing was said in the thread by the buttons themselves.
    expect(api.calls.filter((c) => c.method === 'chat.postEphemeral')).toHaveLength(0);
  });

  it('after Take over, PJ’s thread replies go to the client with their origin; a retried event sends once', async () => {
    const { id, header, ts } = await openDesk('U4');
    await click(id, { ts, blocks: header.body.blocks }, DESK_ACTION.takeOver);
    await eventually(async () => expect(await statusOf(id)).toBe('human'), 'taken over');

    const reply = deskMessage('Hi, PJ here &amp; happy to help: &lt;3', ts);
    await slack.event(reply, 'EvREPLY1');
    await slack.event(reply, 'EvREPLY1', { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' });
    await eventually(
      async () => expect(clientTexts(id).filter((t) => t.author === 'advisor')).toHaveLength(1),
      'client text',
    );
    await settle();

    expect(clientTexts(id).filter((t) => t.author === 'advisor')).toEqual([
      {
        type: 'text',
        text: 'Hi, PJ here & happy to help: <3',
        author: 'advisor',
        origin: { channel: DESK, ts: reply.ts },
      },
    ]);
    const transcript = (await store.get(id))?.transcript ?? [];
    expect(transcript.at(-1)).toMatchObject({
      direction: 'out',
      author: 'advisor',
      text: 'Hi, PJ here & happy to help: <3',
    });
    // No visible error, no ephemeral: the outbox worker reacts once it is delivered.
    expect(deskPosts().filter((c) => c.body.thread_ts !== undefined)).toHaveLength(0);
    expect(api.calls.filter((c) => c.method === 'chat.postEphemeral' || c.method === 'reactions.add')).toHaveLength(0);
    // The client listeners leave the desk alone: no conversation was started from it.
    expect((await store.list({})).map((c) => c.id)).toEqual([id]);
  });

  it('before Take over, a thread reply stays internal and PJ is told so, privately', async () => {
    const { id, ts } = await openDesk('U5');
    const reply = deskMessage('looks like a payroll shop, call them tomorrow', ts);
    await slack.event(reply);
    const [ephemeral] = await api.waitFor('chat.postEphemeral');

    expect(ephemeral?.body).toMatchObject({ channel: DESK, user: PJ, thread_ts: ts });
    expect(ephemeral?.body.text).toBe(copy(flow.desk.internal));
    const [reaction] = await api.waitFor('reactions.add');
    expect(reaction?.body).toMatchObject({ channel: DESK, timestamp: reply.ts, name: 'memo' });
    expect(await statusOf(id)).toBe('waiting');
    expect(clientTexts(id)).toEqual([]);
    const transcript = (await store.get(id))?.transcript ?? [];
    expect(transcript.at(-1)).toMatchObject({
      direction: 'event',
      author: 'advisor',
      text: copy(flow.transcript.note, { text: 'looks like a payroll shop, call them tomorrow' }),
    });
  });

  it('a reply starting with note: stays internal even after Take over', async () => {
    const { id, header, ts } = await openDesk('U6');
    await click(id, { ts, blocks: header.body.blocks }, DESK_ACTION.takeOver);
    await eventually(async () => expect(await statusOf(id)).toBe('human'), 'taken over');
    const before = (await store.get(id))?.transcript.length ?? 0;

    const note = deskMessage(`<@${BOT_USER}> NOTE: they want a quote by Friday`, ts);
    await slack.event(note);
    const [reaction] = await api.waitFor('reactions.add');
    expect(reaction?.body).toMatchObject({ channel: DESK, timestamp: note.ts, name: 'memo' });

    const detail = await store.get(id);
    expect(detail?.status).toBe('human');
    expect(detail?.transcript.slice(before)).toEqual([
      expect.objectContaining({
        direction: 'event',
        author: 'advisor',
        text: copy(flow.transcript.note, { text: 'they want a quote by Friday' }),
      }),
    ]);
    expect(clientTexts(id).filter((t) => t.author === 'advisor')).toEqual([]);
    expect(api.calls.filter((c) => c.method === 'chat.postEphemeral')).toHaveLength(0);
    // A mention in the desk is not a client starting a conversation.
    await slack.event({ type: 'app_mention', channel: DESK, user: PJ, text: note.text, ts: note.ts, thread_ts: ts });
    await settle();
    expect((await store.list({})).map((c) => c.id)).toEqual([id]);
  });

  it('shows a visible error in the thread when the client opted out', async () => {
    const from = '+18584610000';
    await handleInbound(smsText(from, 'we run payroll'));
    const id = (await handleInbound(smsText(from, 'can I talk to a human'))).conversationId;
    expect(await statusOf(id)).toBe('waiting');
    await pumpDesk();
    const ts = (await store.getDeskThread(id))?.ts ?? '';
    const header = headers()[0];
    expect(header?.body.text).toBe(
      copy(flow.desk.summary, { id, reasons: 'human', sender: '+1858***0000', channel: 'SMS' }),
    );
    await click(id, { ts, blocks: header?.body.blocks }, DESK_ACTION.takeOver);
    await eventually(async () => expect(await statusOf(id)).toBe('human'), 'taken over');
    await handleInbound(smsText(from, 'STOP'));
    expect(await statusOf(id)).toBe('opted_out');

    await slack.event(deskMessage('Sorry for the wait, here is the quote', ts));
    const notSent = copy(flow.desk.notSent, { problem: copy(flow.advisor.refused.opted_out, { id }) });
    const error = await eventually(async () => {
      const found = deskPosts().find((c) => c.body.thread_ts === ts && c.body.text === notSent);
      if (!found) throw new Error('no error in the thread');
      return found;
    }, 'visible error');
    expect(error.body.text).toBe(notSent);
    expect(clientTexts(id).filter((t) => t.author === 'advisor')).toEqual([]);
  });

  it('Hand back and Close work from the buttons, each in the transcript; a closed one refuses a takeover visibly', async () => {
    const { id, header, ts } = await openDesk('U7');
    const message = { ts, blocks: header.body.blocks };
    await click(id, message, DESK_ACTION.takeOver);
    await eventually(async () => expect(await statusOf(id)).toBe('human'), 'taken over');

    await click(id, message, DESK_ACTION.release);
    await eventually(async () => expect(await statusOf(id)).not.toBe('human'), 'handed back');
    expect(await statusOf(id)).toBe('bot');
    // The bot tells the client it is back, through the outbox.
    expect(clientTexts(id).at(-1)).toMatchObject({ author: 'bot', text: expect.stringContaining(copy(flow.resumed)) });

    // Handing back again only tells the clicker.
    await click(id, message, DESK_ACTION.release);
    const [whisper] = await api.waitFor('chat.postEphemeral');
    const withBot = copy(flow.desk.couldNot.release, { problem: copy(flow.advisor.refused.not_with_advisor, { id }) });
    expect(whisper?.body).toMatchObject({ channel: DESK, user: PJ, thread_ts: ts, text: withBot });

    await click(id, message, DESK_ACTION.close);
    await eventually(async () => expect(await statusOf(id)).toBe('closed'), 'closed');
    await click(id, message, DESK_ACTION.close);
    await settle();

    const events = (await store.get(id))?.transcript.filter((t) => t.direction === 'event').map((t) => t.text);
    const t = flow.transcript;
    expect(events).toEqual([t.tookOver, t.handedBack, t.closed].map((note) => copy(note, { by: bySlack() })));
    expect(deskNotices(id).map((n) => n.kind)).toEqual(['flagged', 'tookOver', 'released', 'closed']);
    await pumpDesk();
    expect(
      deskPosts()
        .filter((c) => c.body.thread_ts === ts)
        .map((c) => c.body.text),
    ).toEqual([
      copy(flow.advisor.tookOver, { id, by: bySlack() }),
      copy(flow.advisor.released, { id, by: bySlack() }),
      copy(flow.advisor.closed, { id, by: bySlack() }),
    ]);

    await click(id, message, DESK_ACTION.takeOver);
    const closed = copy(flow.desk.couldNot.takeOver, { problem: copy(flow.advisor.refused.closed, { id }) });
    const refused = await eventually(async () => {
      const found = deskPosts().find((c) => c.body.text === closed);
      if (!found) throw new Error('no refusal');
      return found;
    }, 'visible refusal');
    expect(refused.body).toMatchObject({ thread_ts: ts, text: closed });
  });

  it('refuses Take over, Hand back and Close from anyone but PJ: only they are told, nothing changes, PJ is told once', async () => {
    const { id, header, ts } = await openDesk('U14');
    const message = { ts, blocks: header.body.blocks };
    const before = (await store.get(id))?.transcript.length;
    for (const action of [DESK_ACTION.takeOver, DESK_ACTION.close, DESK_ACTION.release]) {
      expect((await click(id, message, action, COLLEAGUE)).status).toBe(200);
    }
    const whispers = await api.waitFor('chat.postEphemeral', 3);
    const onlyPj = { channel: DESK, user: COLLEAGUE, thread_ts: ts, text: copy(flow.desk.onlyAdvisor) };
    expect(whispers.map((w) => w.body)).toEqual([onlyPj, onlyPj, onlyPj].map((body) => expect.objectContaining(body)));
    await settle();

    expect(await statusOf(id)).toBe('waiting');
    expect((await store.get(id))?.transcript.length).toBe(before);
    expect(deskNotices(id).map((n) => n.kind)).toEqual(['flagged']);
    expect(
      deskPosts()
        .filter((c) => c.body.thread_ts === ts)
        .map((c) => c.body.text),
    ).toEqual([copy(flow.desk.notAdvisor, { id, user: COLLEAGUE })]);
    expect(logs.filter((line) => line.includes('refused a Slack user acting as PJ'))).toHaveLength(3);
    expect(logs.join('')).toMatch(new RegExp(`"user":"${COLLEAGUE}".*refused a Slack user acting as PJ`));

    // PJ himself still can.
    await click(id, message, DESK_ACTION.takeOver);
    await eventually(async () => expect(await statusOf(id)).toBe('human'), 'taken over by PJ');
  });

  it("refuses PJ's user id from another workspace, and his click from outside the handoff channel", async () => {
    const { id, header, ts } = await openDesk('U15');
    const takeOver = (team: string, channel: string) => ({
      ...buttonClick(
        PJ,
        channel,
        { ts, blocks: header.body.blocks },
        { action_id: DESK_ACTION.takeOver, value: String(id), text: flow.desk.buttons.takeOver },
      ),
      team: { id: team, domain: 'elsewhere' },
      user: { id: PJ, username: 'pj', team_id: team },
    });
    await slack.action(takeOver('T0OTHER', DESK));
    await slack.action(takeOver(TEAM, 'C0ELSEWHERE'));
    // A shared channel names the writer's own workspace in user_team.
    await slack.event({ ...deskMessage('PJ here, honest: send me the contract', ts), user_team: 'T0OTHER' });
    const whispers = await api.waitFor('chat.postEphemeral', 3);
    await settle();

    expect(whispers.map((w) => w.body.channel).sort()).toEqual([DESK, DESK, 'C0ELSEWHERE']);
    expect(await statusOf(id)).toBe('waiting');
    expect((await store.get(id))?.transcript.map((e) => e.text)).not.toContain('PJ here, honest: send me the contract');
    expect(clientTexts(id)).toEqual([]);
    expect(api.calls.filter((c) => c.method === 'reactions.add')).toEqual([]);
  });

  it("neither relays nor keeps a colleague's thread reply, even after Take over; PJ's own still go out", async () => {
    const { id, header, ts } = await openDesk('U16');
    await click(id, { ts, blocks: header.body.blocks }, DESK_ACTION.takeOver);
    await eventually(async () => expect(await statusOf(id)).toBe('human'), 'taken over');
    const before = (await store.get(id))?.transcript.length ?? 0;

    await slack.event(deskMessage('Hi, PJ here (not really)', ts, COLLEAGUE));
    await slack.event(deskMessage('note: they seem keen', ts, COLLEAGUE));
    await click(id, { ts, blocks: header.body.blocks }, DESK_ACTION.close, COLLEAGUE);
    await api.waitFor('chat.postEphemeral', 3);
    await slack.event(deskMessage('Hi, PJ here.', ts));
    await eventually(
      async () => expect(clientTexts(id).filter((t) => t.author === 'advisor')).toHaveLength(1),
      'PJ’s reply',
    );
    await settle();

    expect(
      clientTexts(id)
        .filter((t) => t.author === 'advisor')
        .map((t) => t.text),
    ).toEqual(['Hi, PJ here.']);
    expect((await store.get(id))?.transcript.slice(before)).toEqual([
      expect.objectContaining({ direction: 'out', author: 'advisor', text: 'Hi, PJ here.' }),
    ]);
    expect(await statusOf(id)).toBe('human');
    // Told once in the thread, whatever the colleague tried.
    expect(
      deskPosts().filter(
        (c) => c.body.thread_ts === ts && c.body.text === copy(flow.desk.notAdvisor, { id, user: COLLEAGUE }),
      ),
    ).toHaveLength(1);
    expect(api.calls.filter((c) => c.method === 'reactions.add')).toEqual([]);
  });

  it('lets PJ act from another workspace when SLACK_ADVISOR_USER_IDS names him as TEAM:USER, and says which user acted', async () => {
    const { id, header, ts } = await openDesk('U17');
    const guestClick = (team: string, actionId: string) => ({
      ...buttonClick(
        GUEST,
        DESK,
        { ts, blocks: header.body.blocks },
        { action_id: actionId, value: String(id), text: 'x' },
      ),
      user: { id: GUEST, username: 'pj-guest', team_id: team },
    });
    await slack.action(guestClick(GUEST_TEAM, DESK_ACTION.takeOver));
    await eventually(async () => expect(await statusOf(id)).toBe('human'), 'taken over');
    const events = (await store.get(id))?.transcript.filter((e) => e.direction === 'event').map((e) => e.text);
    expect(events).toEqual([copy(flow.transcript.tookOver, { by: bySlack(`${GUEST_TEAM}:${GUEST}`) })]);
    expect(deskNotices(id).at(-1)).toEqual({ kind: 'tookOver', by: bySlack(`${GUEST_TEAM}:${GUEST}`) });

    // The same user id in the app's own workspace is someone else.
    await slack.action(guestClick(TEAM, DESK_ACTION.close));
    const [whisper] = await api.waitFor('chat.postEphemeral');
    expect(whisper?.body).toMatchObject({ user: GUEST, text: copy(flow.desk.onlyAdvisor) });
    await settle();
    expect(await statusOf(id)).toBe('human');
  });

  it('ignores bot posts, edits, top-level messages and threads that are not a conversation’s', async () => {
    const { id, header, ts } = await openDesk('U8');
    await click(id, { ts, blocks: header.body.blocks }, DESK_ACTION.takeOver);
    await eventually(async () => expect(await statusOf(id)).toBe('human'), 'taken over');
    await slack.event({ ...deskMessage('from the bot', ts), bot_id: 'B0BOT' });
    await slack.event({ ...deskMessage('edited', ts), subtype: 'message_changed' });
    await slack.event(deskMessage('good morning team', undefined));
    await slack.event(deskMessage('lunch?', '1700000000.999999'));
    await settle();
    expect(clientTexts(id).filter((t) => t.author === 'advisor')).toEqual([]);
    expect((await store.list({})).map((c) => c.id)).toEqual([id]);
    expect(api.calls.filter((c) => c.method !== 'auth.test' && c.method !== 'chat.postMessage')).toEqual([]);
    expect(deskPosts()).toHaveLength(1);
  });

  it('end to end with the outbox worker: the header, the reply in the client’s DM, a reaction on PJ’s message', async () => {
    const worker = createOutboxWorker({
      store,
      settings,
      senders: {
        clients: { sms: { off: 'off' }, slack: createSlackClientSender(slackClient), web: { off: 'off' } },
        advisorPhone: { off: 'off' },
        desk,
      },
      now: Date.now,
      log: recordLog().log,
    });
    const drain = async () => {
      while ((await worker.tick()) > 0);
    };
    const id = await flaggedSlackClient('U11');
    await drain();
    const ts = (await store.getDeskThread(id))?.ts ?? '';
    expect(headers()).toHaveLength(1);
    await click(id, { ts, blocks: headers()[0]?.body.blocks }, DESK_ACTION.takeOver);
    await eventually(async () => expect(await statusOf(id)).toBe('human'), 'taken over');
    const reply = deskMessage('Hi, PJ here. When is the deal due?', ts);
    await slack.event(reply);
    await eventually(
      async () => expect(clientTexts(id).filter((t) => t.author === 'advisor')).toHaveLength(1),
      'client text',
    );
    await drain();

    const toClient = api.calls.filter((c) => c.method === 'chat.postMessage' && c.body.channel === 'U11');
    expect(toClient.map((c) => c.body.text)).toEqual(['Hi, PJ here. When is the deal due?']);
    const [reaction] = await api.waitFor('reactions.add');
    expect(reaction?.body).toMatchObject({ channel: DESK, timestamp: reply.ts, name: 'white_check_mark' });
    expect(
      deskPosts()
        .filter((c) => c.body.thread_ts === ts)
        .map((c) => c.body.text),
    ).toEqual([copy(flow.advisor.tookOver, { id, by: bySlack() })]);
  });

  it('refuses unsigned and forged requests: nothing changes', async () => {
    const { id, header, ts } = await openDesk('U9');
    const payload = buttonClick(
      PJ,
      DESK,
      { ts, blocks: header.body.blocks },
      { action_id: DESK_ACTION.takeOver, value: String(id), text: flow.desk.buttons.takeOver },
    );
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const forged = await slack.send(body, 'application/x-www-form-urlencoded', { 'X-Slack-Signature': 'v0=deadbeef' });
    expect(forged.status).toBe(401);
    const stale = await slack.send(body, 'application/x-www-form-urlencoded', {}, Math.floor(Date.now() / 1000) - 600);
    expect(stale.status).toBe(401);
    await settle();
    expect(await statusOf(id)).toBe('waiting');
  });

  it('the desk poster reports Slack’s refusal as a final DeliveryError and opens no thread', async () => {
    const id = await flaggedSlackClient('U10');
    scripted.set('chat.postMessage', [{ ok: false, error: 'not_in_channel' }]);
    const record = await store.get(id);
    if (record === null) throw new Error('no record');
    const error = await desk.notify({ kind: 'flagged', reasons: ['human'] }, record).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ retryable: false, code: 'not_in_channel' });
    expect(await store.getDeskThread(id)).toBeNull();
    expect(logs.join('')).not.toContain('xoxb-test-token');
  });
});
