import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboxDraft } from '../../src/core/ports.js';
import { dm, startSlackHarness, type SlackHarness } from '../support/slack-harness.js';
import { ADMIN_TOKEN, newMessageSid, replyTo, startSmsHarness, type SmsHarness } from '../support/sms-harness.js';

const METRICS_TOKEN = 'test-metrics-token-0123456789abcdef0123';
const ALICE = '+14155550101';

function scrape(h: SmsHarness, token: string | null = METRICS_TOKEN): Promise<Response> {
  return fetch(`${h.baseUrl}/metrics`, token === null ? {} : { headers: { Authorization: `Bearer ${token}` } });
}

/** The value of one sample (`name{labels}` exactly as exposed), or undefined when it is not there. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function metrics(h: SmsHarness): Promise<string> {
  const res = await scrape(h);
  expect(res.status).toBe(200);
  return res.text();
}

describe('GET /metrics', () => {
  let h: SmsHarness | SlackHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
    nock.cleanAll();
  });

  it('is no route at all without METRICS_TOKEN', async () => {
    h = await startSmsHarness();
    expect((await scrape(h)).status).toBe(404);
    expect((await scrape(h, null)).status).toBe(404);
  });

  it('answers only the bearer of METRICS_TOKEN: 401 without it, with another or with the admin token', async () => {
    h = await startSmsHarness({ METRICS_TOKEN });
    for (const token of [null, 'wrong-token-0123456789abcdef0123456789', ADMIN_TOKEN, `${METRICS_TOKEN}x`]) {
      const res = await scrape(h, token);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(await res.text()).not.toContain('soc_');
    }
    const res = await scrape(h);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(h.logs.join('')).not.toContain(METRICS_TOKEN);
  });

  it('counts a signed webhook: its latency, the message by channel and outcome, the group commit', async () => {
    h = await startSmsHarness({ METRICS_TOKEN });
    const before = await metrics(h);
    expect(sample(before, 'soc_twilio_webhook_duration_seconds_count')).toBe(0);
    expect(sample(before, 'soc_messages_total{channel="sms",outcome="replied"}')).toBe(0);
    expect(sample(before, 'soc_store_group_commit_size_count')).toBe(0);
    expect(sample(before, 'soc_outbox_unsent')).toBe(0);
    expect(sample(before, 'soc_outbox_oldest_age_seconds')).toBe(0);
    expect(before).toContain('process_resident_memory_bytes');

    const sid = newMessageSid();
    expect(await replyTo(h, ALICE, 'hi', sid)).toHaveLength(1);
    expect(await replyTo(h, ALICE, 'hi', sid)).toHaveLength(1);
    const after = await metrics(h);
    expect(sample(after, 'soc_twilio_webhook_duration_seconds_count')).toBe(2);
    expect(sample(after, 'soc_twilio_webhook_duration_seconds_sum')).toBeGreaterThan(0);
    expect(sample(after, 'soc_twilio_webhook_duration_seconds_bucket{le="+Inf"}')).toBe(2);
    expect(sample(after, 'soc_messages_total{channel="sms",outcome="replied"}')).toBe(1);
    expect(sample(after, 'soc_messages_total{channel="sms",outcome="duplicate"}')).toBe(1);
    expect(sample(after, 'soc_messages_total{channel="slack",outcome="replied"}')).toBe(0);
    // The repeat is answered from the first one's record, in a batch of its own.
    expect(sample(after, 'soc_store_group_commit_size_count')).toBe(2);
    expect(sample(after, 'soc_store_group_commit_size_sum')).toBe(2);
    expect(sample(after, 'soc_slack_ack_duration_seconds_count')).toBe(0);
  });

  it('shows the outbox backlog: unsent items and the age of the oldest', async () => {
    h = await startSmsHarness({ METRICS_TOKEN });
    await replyTo(h, ALICE, 'hi');
    const { conversations } = (await (await h.admin('/conversations')).json()) as {
      conversations: Array<{ id: number }>;
    };
    const id = conversations[0]?.id ?? 0;
    const queued = Date.now() - 90_000;
    const text = (t: string): OutboxDraft => ({
      destination: { kind: 'client' },
      payload: { type: 'text', text: t, author: 'bot' },
    });
    await h.composed.store.enqueueOutbox(id, [text('first')], queued);
    await h.composed.store.enqueueOutbox(id, [text('second')], queued + 60_000);
    const scraped = await metrics(h);
    expect(sample(scraped, 'soc_outbox_unsent')).toBe(2);
    const age = sample(scraped, 'soc_outbox_oldest_age_seconds') ?? 0;
    expect(age).toBeGreaterThanOrEqual(90);
    expect(age).toBeLessThan(120);
  });

  it('times Slack acks and counts Slack messages', async () => {
    const slack = await startSlackHarness({ METRICS_TOKEN });
    h = slack;
    expect((await slack.event(dm('U1', 'hi'))).status).toBe(200);
    await slack.waitFor('chat.postMessage');
    const text = await metrics(slack);
    expect(sample(text, 'soc_slack_ack_duration_seconds_count')).toBe(1);
    expect(sample(text, 'soc_messages_total{channel="slack",outcome="replied"}')).toBe(1);
    expect(sample(text, 'soc_twilio_webhook_duration_seconds_count')).toBe(0);
  });
});
