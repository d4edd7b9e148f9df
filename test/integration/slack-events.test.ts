import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flowIn } from '../../src/core/localize-flow.js';
import { signSlack } from '../support/sign-slack.js';
import { copy, flow } from '../support/copy.js';
import {
  BOT_USER,
  buttonClick,
  buttonsOf,
  dm,
  SIGNING_SECRET,
  startSlackHarness,
  TEAM,
  type Block,
  type SlackHarness,
} from '../support/slack-harness.js';

const settle = () => new Promise((r) => setTimeout(r, 150));

describe('Slack over HTTP', () => {
  let h: SlackHarness;
  beforeEach(async () => {
    h = await startSlackHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('runs a DM from "hi" to a verdict card with a Talk to PJ button', async () => {
    const res = await h.event(dm('U1', 'hi'));
    expect(res.status).toBe(200);
    const [ask] = await h.waitFor('chat.postMessage');
    expect(ask?.body.channel).toBe('DU1');
    expect(ask?.body.text).toMatch(/What does your product do\?/);
    expect(buttonsOf(ask?.body.blocks).map((b) => b.text.text)).toEqual([
      'software holding customer data',
      'payroll, billing or payments',
      'both',
    ]);

    await h.event(dm('U1', 'we are a SaaS HR platform'));
    const [, asker] = await h.waitFor('chat.postMessage', 2);
    expect(asker?.body.text).toMatch(/Who is asking/);

    await h.event(dm('U1', 'their security team sent a questionnaire'));
    const verdict = (await h.waitFor('chat.postMessage', 3))[2];
    expect(verdict?.body.text).toMatch(/You need SOC 2\./);
    const blocks = JSON.stringify(verdict?.body.blocks);
    expect(blocks).toMatch(/\*You need SOC 2\.\*/);
    expect(blocks).toMatch(/Type 1/);
    expect(buttonsOf(verdict?.body.blocks).map((b) => b.text.text)).toEqual(['Talk to PJ']);

    const list = (await (await h.admin('/conversations?channel=slack')).json()) as {
      conversations: Array<{ participant: string; verdict: string; status: string }>;
    };
    expect(list.conversations).toEqual([
      expect.objectContaining({ participant: `${TEAM}:U1`, verdict: 'soc2', status: 'bot' }),
    ]);
  });

  it('answers a clicked choice once: the buttons go, a second click does nothing more', async () => {
    await h.event(dm('U2', 'hello'));
    const [ask] = await h.waitFor('chat.postMessage');
    const button = buttonsOf(ask?.body.blocks)[1];
    if (!button) throw new Error('no button');
    const click = buttonClick(
      'U2',
      'DU2',
      { ts: '1700000001.000100', blocks: ask?.body.blocks },
      {
        action_id: button.action_id,
        value: button.value,
        text: button.text.text,
      },
    );
    const [first, second] = await Promise.all([h.action(click), h.action(click)]);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    const posts = await h.waitFor('chat.postMessage', 2);
    await settle();
    expect(h.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(2);
    expect(posts[1]?.body.text).toMatch(/Who is asking/);
    const updates = h.calls.filter((c) => c.method === 'chat.update');
    expect(updates).toHaveLength(1);
    expect(buttonsOf(updates[0]?.body.blocks)).toEqual([]);
    expect(JSON.stringify(updates[0]?.body.blocks)).toContain('payroll, billing or payments');
  });

  it('says what a Spanish client chose in Spanish, as the buttons were worded', async () => {
    const spanish = flowIn(h.composed.settings, 'es');
    await h.event(dm('U5', 'hola, necesito saber qué reporte SOC necesito'));
    const [ask] = await h.waitFor('chat.postMessage');
    const button = buttonsOf(ask?.body.blocks)[1];
    if (!button) throw new Error('no button');
    expect(button.text.text).toBe(spanish.askProduct.choices[1]);
    await h.action(
      buttonClick(
        'U5',
        'DU5',
        { ts: '1700000005.000100', blocks: ask?.body.blocks },
        { action_id: button.action_id, value: button.value, text: button.text.text },
      ),
    );
    const [, asker] = await h.waitFor('chat.postMessage', 2);
    expect(asker?.body.text).toContain(spanish.askAsker.question);
    const [update] = await h.waitFor('chat.update');
    expect(JSON.stringify(update?.body.blocks)).toContain(
      JSON.stringify(copy(spanish.slackChose, { choice: button.text.text })).slice(1, -1),
    );
    expect(spanish.slackChose).not.toBe(flow.slackChose);
  });

  it('flags the conversation for PJ when "Talk to PJ" is clicked', async () => {
    await h.event(dm('U3', 'we run payroll and their CFO asked for it'));
    const [verdict] = await h.waitFor('chat.postMessage');
    const talk = buttonsOf(verdict?.body.blocks)[0];
    if (!talk) throw new Error('no Talk to PJ button');
    await h.action(
      buttonClick(
        'U3',
        'DU3',
        { ts: '1700000009.000100', blocks: verdict?.body.blocks },
        {
          action_id: talk.action_id,
          value: talk.value,
          text: talk.text.text,
        },
      ),
    );
    const [, handoff] = await h.waitFor('chat.postMessage', 2);
    expect(handoff?.body.text).toMatch(/real person/);
    const list = (await (await h.admin('/conversations?channel=slack')).json()) as {
      conversations: Array<{ status: string; flags: string[] }>;
    };
    expect(list.conversations[0]).toMatchObject({ status: 'waiting', flags: ['human'] });
  });

  it('answers a mention in a thread, and follows the thread without further mentions', async () => {
    await h.event({
      type: 'app_mention',
      channel: 'C1',
      user: 'U4',
      text: `<@${BOT_USER}> hi`,
      ts: '1700000100.000100',
    });
    const [ask] = await h.waitFor('chat.postMessage');
    expect(ask?.body).toMatchObject({ channel: 'C1', thread_ts: '1700000100.000100' });
    await h.event({
      type: 'message',
      channel_type: 'channel',
      channel: 'C1',
      user: 'U5',
      text: 'we do claims processing for self-insured employers',
      ts: '1700000101.000100',
      thread_ts: '1700000100.000100',
    });
    const [, next] = await h.waitFor('chat.postMessage', 2);
    expect(next?.body).toMatchObject({ channel: 'C1', thread_ts: '1700000100.000100' });
    expect(next?.body.text).toContain(h.composed.settings.flow.askAsker.question);
    // A thread the bot does not run is left alone.
    await h.event({
      type: 'message',
      channel_type: 'channel',
      channel: 'C1',
      user: 'U5',
      text: 'lunch?',
      ts: '2.1',
      thread_ts: '1.1',
    });
    await settle();
    expect(h.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(2);
    const list = (await (await h.admin('/conversations?channel=slack')).json()) as {
      conversations: Array<{ participant: string }>;
    };
    expect(list.conversations.map((c) => c.participant)).toEqual([`${TEAM}:U4`]);
  });

  it('starts over in the DM on /soc and acknowledges at once', async () => {
    await h.event(dm('U6', 'we run payroll'));
    await h.waitFor('chat.postMessage');
    const res = await h.command({ user_id: 'U6', channel_id: 'C9', text: '' });
    expect(res.status).toBe(200);
    const [, restart] = await h.waitFor('chat.postMessage', 2);
    expect(restart?.body.channel).toBe('U6');
    expect(restart?.body.text).toMatch(/start over/i);
  });

  it('ends politely on "stop" (Slack has no opt-out) and starts a new conversation after', async () => {
    await h.event(dm('U7', 'hi'));
    await h.waitFor('chat.postMessage');
    await h.event(dm('U7', 'stop'));
    const [, ended] = await h.waitFor('chat.postMessage', 2);
    expect(ended?.body.text).toMatch(/stop here/);
    await h.event(dm('U7', 'hi again'));
    const [, , fresh] = await h.waitFor('chat.postMessage', 3);
    expect(fresh?.body.text).toMatch(/What does your product do/);
    const list = (await (await h.admin('/conversations?channel=slack')).json()) as {
      conversations: Array<{ status: string }>;
    };
    expect(list.conversations.map((c) => c.status)).toEqual(['bot', 'closed']);
  });

  it('publishes App Home with a Start button that starts the DM', async () => {
    await h.event({ type: 'app_home_opened', user: 'U8', channel: 'DU8', tab: 'home', event_ts: '1.2' });
    const [publish] = await h.waitFor('views.publish');
    const view = publish?.body.view as { type: string; blocks: Block[] };
    expect(publish?.body.user_id).toBe('U8');
    expect(view.type).toBe('home');
    expect(JSON.stringify(view)).toContain('858-461-8054');
    const start = buttonsOf(view.blocks)[0];
    expect(start?.text.text).toBe(copy(flow.slackHome.start));
    await h.action({
      ...buttonClick(
        'U8',
        'DU8',
        { ts: '0', blocks: [] },
        { action_id: start?.action_id ?? '', value: 'start', text: copy(flow.slackHome.start) },
      ),
      container: { type: 'view', view_id: 'V1' },
      channel: undefined,
      message: undefined,
    });
    const [ask] = await h.waitFor('chat.postMessage');
    expect(ask?.body).toMatchObject({ channel: 'U8' });
    expect(ask?.body.text).toMatch(/What does your product do/);
  });

  it('never answers a retried event twice', async () => {
    const event = dm('U9', 'hi');
    await h.event(event, 'EvSAME');
    await h.waitFor('chat.postMessage');
    const retry = await h.event(event, 'EvSAME', { 'X-Slack-Retry-Num': '1', 'X-Slack-Retry-Reason': 'http_timeout' });
    expect(retry.status).toBe(200);
    await settle();
    expect(h.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
  });

  it('ignores the bot’s own messages and message edits', async () => {
    await h.event({ ...dm('U10', 'hi'), bot_id: 'B0BOT' });
    await h.event({ ...dm('U10', 'hi'), subtype: 'message_changed' });
    await settle();
    expect(h.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(0);
  });

  it('rejects a bad signature and a stale timestamp with 401', async () => {
    const body = JSON.stringify({ type: 'event_callback', team_id: TEAM, event_id: 'EvBAD', event: dm('U11', 'hi') });
    const forged = await h.send(body, 'application/json', {
      'X-Slack-Signature': signSlack('wrong-secret', Math.floor(Date.now() / 1000), body),
    });
    expect(forged.status).toBe(401);
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    const old = await h.send(body, 'application/json', {}, stale);
    expect(old.status).toBe(401);
    await settle();
    expect(h.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(0);
    expect(SIGNING_SECRET).not.toBe('wrong-secret');
  });

  it('handles events it acknowledged before stopping: stop waits for their replies', async () => {
    // Slack does not send an acknowledged event again: one still waiting to be handled when the
    // bot stops must be handled before the store closes.
    const acks = await Promise.all(['U30', 'U31', 'U32'].map((user) => h.event(dm(user, 'hi'))));
    expect(acks.map((res) => res.status)).toEqual([200, 200, 200]);
    await h.composed.slack?.stop();
    expect(
      h.calls
        .filter((call) => call.method === 'chat.postMessage')
        .map((call) => call.body.channel)
        .sort(),
    ).toEqual(['DU30', 'DU31', 'DU32']);
  });
});

describe('Slack Web API failures', () => {
  let h: SlackHarness;
  afterEach(async () => {
    await h.close();
  });

  it('waits out a 429 from chat.postMessage and posts the reply once', async () => {
    const limited = nock('https://slack.com')
      .post('/api/chat.postMessage')
      .reply(429, JSON.stringify({ ok: false, error: 'ratelimited' }), {
        'Retry-After': '1',
        'Content-Type': 'application/json',
      });
    h = await startSlackHarness();
    await h.event(dm('U12', 'hi'));
    const [post] = await h.waitFor('chat.postMessage');
    expect(limited.isDone()).toBe(true);
    expect(post?.body.text).toMatch(/What does your product do/);
    await settle();
    expect(h.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
  });
});

describe('Slack reply that cannot be posted', () => {
  it('keeps the reply in the outbox to try again', async () => {
    nock('https://slack.com')
      .post('/api/chat.postMessage')
      .reply(200, JSON.stringify({ ok: false, error: 'not_in_channel' }), { 'Content-Type': 'application/json' });
    const h = await startSlackHarness();
    try {
      await h.event(dm('U14', 'hi'));
      let queued: Awaited<ReturnType<typeof h.composed.store.claimOutbox>> = [];
      for (let i = 0; i < 200 && queued.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
        queued = await h.composed.store.claimOutbox(Date.now() + 1000, 1000, 10);
      }
      expect(queued.map((q) => q.payload)).toEqual([
        { type: 'text', author: 'bot', text: expect.stringMatching(/What does your product do/) },
      ]);
      expect(h.logs.join('')).toMatch(/queued in the outbox/);
    } finally {
      await h.close();
    }
  });
});

describe('Slack configuration', () => {
  it('sends Web API calls to SLACK_API_URL when set', async () => {
    const proxied = nock('https://slack-proxy.example.test')
      .post('/api/auth.test')
      .optionally()
      .reply(200, JSON.stringify({ ok: true, user_id: BOT_USER, bot_id: 'B0BOT' }), {
        'Content-Type': 'application/json',
      })
      .post('/api/chat.postMessage')
      .reply(200, JSON.stringify({ ok: true, ts: '1.1' }), { 'Content-Type': 'application/json' });
    const h = await startSlackHarness({ SLACK_API_URL: 'https://slack-proxy.example.test/api' });
    try {
      await h.event(dm('U13', 'hi'));
      for (let i = 0; i < 200 && !proxied.isDone(); i++) await new Promise((r) => setTimeout(r, 20));
      expect(proxied.isDone()).toBe(true);
      expect(h.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(0);
    } finally {
      await h.close();
    }
  });

  it('is off without SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN, and says so', async () => {
    const { startSmsHarness } = await import('../support/sms-harness.js');
    const h = await startSmsHarness();
    try {
      const res = await fetch(`${h.baseUrl}/slack/events`, { method: 'POST' });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { message: string }).message).toMatch(/SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN/);
    } finally {
      await h.close();
    }
  });
});
