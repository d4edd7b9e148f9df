import { webApi } from '@slack/bolt';
import nock from 'nock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSlackDesk } from '../../src/adapters/slack/slack-desk.js';
import { createSlackClientSender } from '../../src/adapters/slack/slack-sender.js';
import type { ConversationRecord } from '../../src/core/conversation.js';
import { DeliveryError } from '../../src/core/delivery-error.js';
import { ADVISOR, flow } from '../support/copy.js';
import { interceptSlackApi, type SlackApi, type SlackApiAnswer } from '../support/slack-harness.js';

// The Slack posters on their own, the Web API intercepted at slack.com: what a client's reply and
// the desk's delivery mark send, and how Slack's answers become DeliveryErrors for the outbox.

const DESK = 'C0DESK';

describe("the Slack ClientSender and the desk's delivery mark", () => {
  let api: SlackApi;
  let scripted: SlackApiAnswer[];
  const client = () =>
    new webApi.WebClient('xoxb-test-token', {
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logLevel: webApi.LogLevel.ERROR,
    });
  const slackRecord = (conversationKey: string): ConversationRecord => ({
    id: 1,
    channel: 'slack',
    participant: 'T1:U1',
    conversationKey,
    status: 'human',
    awaiting: null,
    answers: { product: null, asker: null },
    verdict: null,
    side: 'client',
    flags: [],
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  });
  const nowhere = { get: async () => null, getDeskThread: async () => null, setDeskThread: async () => undefined };
  const deskOn = (c: webApi.WebClient) =>
    createSlackDesk({ client: c, channel: DESK, store: nowhere, flow, advisor: ADVISOR });

  beforeEach(() => {
    nock.cleanAll();
    scripted = [];
    api = interceptSlackApi(() => scripted.shift());
  });

  it('posts text (escaped) in the thread or DM the conversation key names and returns the ts', async () => {
    const sender = createSlackClientSender(client());
    scripted.push({ ok: true, channel: 'C1', ts: '1700000123.000100' });
    await expect(sender.send(slackRecord('T1:C1:1.2'), 'PJ here: a <b> & c')).resolves.toBe('1700000123.000100');
    expect(api.calls[0]?.body).toMatchObject({ channel: 'C1', thread_ts: '1.2', text: 'PJ here: a &lt;b&gt; &amp; c' });
    await sender.send(slackRecord('T1:U1'), 'hi');
    expect(api.calls[1]?.body).toMatchObject({ channel: 'U1' });
    expect(api.calls[1]?.body).not.toHaveProperty('thread_ts');
  });

  it('refuses a conversation key that names no DM or thread, finally', async () => {
    const error = await createSlackClientSender(client())
      .send(slackRecord('nonsense'), 'hi')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable: false });
    expect(api.calls).toEqual([]);
  });

  it("marks PJ's message, and a second mark (already_reacted) is not an error", async () => {
    const desk = deskOn(client());
    await desk.markDelivered({ channel: DESK, ts: '1.2' });
    scripted.push({ ok: false, error: 'already_reacted' });
    await expect(desk.markDelivered({ channel: DESK, ts: '1.2' })).resolves.toBeUndefined();
    expect(api.calls.map((c) => [c.method, c.body.name, c.body.timestamp])).toEqual([
      ['reactions.add', 'white_check_mark', '1.2'],
      ['reactions.add', 'white_check_mark', '1.2'],
    ]);
  });

  it.each([
    ['channel_not_found', { ok: false, error: 'channel_not_found' }, false, 'channel_not_found'],
    ['not_in_channel', { ok: false, error: 'not_in_channel' }, false, 'not_in_channel'],
    ['invalid_auth', { ok: false, error: 'invalid_auth' }, false, 'invalid_auth'],
    ['a Slack internal_error', { ok: false, error: 'internal_error' }, true, 'internal_error'],
    ['HTTP 503', [503, { ok: false }], true, 'http_503'],
    ['HTTP 400', [400, { ok: false }], false, 'http_400'],
    ['HTTP 429', [429, { ok: false, error: 'ratelimited' }, { 'Retry-After': '30' }], true, 'ratelimited'],
  ] as const)('maps %s to a DeliveryError (retryable: %s)', async (_name, reply, retryable, code) => {
    scripted.push(reply as SlackApiAnswer);
    const error = await createSlackClientSender(client())
      .send(slackRecord('T1:C1:1.2'), 'hi')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ retryable, code });
  });

  it('maps a network failure to a retryable DeliveryError', async () => {
    nock.cleanAll();
    nock('https://slack.com').post('/api/chat.postMessage').replyWithError('socket hang up');
    const error = await createSlackClientSender(client())
      .send(slackRecord('T1:C1:1.2'), 'hi')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable: true, code: 'network' });
  });

  it('maps a refused mark to a final DeliveryError', async () => {
    scripted.push({ ok: false, error: 'message_not_found' });
    const error = await deskOn(client())
      .markDelivered({ channel: 'C1', ts: '1.2' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable: false, code: 'message_not_found' });
  });
});
