import { webApi } from '@slack/bolt';
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { createSlackDigestSender } from '../../src/adapters/slack/slack-digest.js';
import { DeliveryError } from '../../src/core/delivery-error.js';

const client = () =>
  new webApi.WebClient('xoxb-test-token', {
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: webApi.LogLevel.ERROR,
  });

describe("PJ's digest on Slack", () => {
  afterEach(() => {
    nock.cleanAll();
  });

  it('posts to the handoff channel as a message of its own, the text escaped, and returns its ts', async () => {
    let sent: Record<string, string> = {};
    nock('https://slack.com')
      .post('/api/chat.postMessage')
      .reply(200, (_uri, body) => {
        sent = Object.fromEntries(new URLSearchParams(String(body)));
        return { ok: true, channel: 'C0HANDOFF', ts: '1700000000.000100' };
      });
    const ts = await createSlackDigestSender(client(), 'C0HANDOFF').send('2026-01-05: 2 new <@U1> & more');
    expect(ts).toBe('1700000000.000100');
    expect(sent.channel).toBe('C0HANDOFF');
    expect(sent.text).toBe('2026-01-05: 2 new &lt;@U1&gt; &amp; more');
    expect(sent.thread_ts).toBeUndefined();
  });

  it("fails for good, with Slack's code, when the channel refuses it", async () => {
    nock('https://slack.com').post('/api/chat.postMessage').reply(200, { ok: false, error: 'not_in_channel' });
    const error = await createSlackDigestSender(client(), 'C0HANDOFF')
      .send('digest')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ code: 'not_in_channel', retryable: false });
  });
});
