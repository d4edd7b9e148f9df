import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSlack } from '../support/sign-slack.js';
import { signTwilio } from '../support/sign-twilio.js';
import { SIGNING_SECRET, startSlackHarness, TEAM, type SlackHarness } from '../support/slack-harness.js';
import { ADMIN_TOKEN, AUTH_TOKEN, BOT_NUMBER, PUBLIC_BASE_URL } from '../support/sms-harness.js';

/**
 * Generated bodies, signed with the real algorithms, at every public endpoint: whatever they hold,
 * the answer is never a 5xx and the process keeps serving. 2,000 bodies per endpoint.
 */
const RUNS = 2000;

const phone = fc.oneof(fc.constant('+14155550123'), fc.stringMatching(/^\+1\d{10}$/), fc.string(), fc.constant(''));
const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('STOP', 'yes', '{phone}', '<b>x</b>', '42 back', ''),
);
const sid = fc.oneof(fc.stringMatching(/^SM[0-9a-f]{32}$/), fc.string({ maxLength: 40 }));

function params(fields: Record<string, fc.Arbitrary<string>>): fc.Arbitrary<Record<string, string>> {
  return fc
    .tuple(
      fc.record(fields, { requiredKeys: [] }),
      fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.string(), { maxKeys: 3 }),
    )
    .map(([known, extra]) => ({ ...extra, ...known }) as Record<string, string>);
}

const smsParams = params({
  MessageSid: sid,
  AccountSid: fc.oneof(fc.constant(`AC${'0'.repeat(32)}`), fc.string()),
  From: phone,
  To: fc.oneof(fc.constant(BOT_NUMBER), phone),
  Body: anyText,
  NumMedia: fc.oneof(fc.constantFrom('0', '1', '2', '-1', 'x'), fc.string()),
  MediaUrl0: fc.oneof(fc.webUrl(), fc.string()),
  MediaContentType0: fc.constantFrom('image/jpeg', 'text/plain', ''),
  FromState: fc.constantFrom('CA', 'NY', '', 'ZZ'),
});

const statusParams = params({
  MessageSid: sid,
  MessageStatus: fc.oneof(fc.constantFrom('queued', 'sent', 'delivered', 'undelivered', 'failed', 'read'), fc.string()),
  ErrorCode: fc.oneof(fc.constantFrom('21610', '30007', ''), fc.string()),
  To: phone,
  From: fc.oneof(fc.constant(BOT_NUMBER), phone),
  AccountSid: fc.string(),
});

const slackObject = fc.oneof(
  fc.jsonValue(),
  fc.record(
    {
      type: fc.oneof(
        fc.constantFrom('event_callback', 'url_verification', 'block_actions', 'view_submission', 'shortcut'),
        fc.string(),
      ),
      team_id: fc.oneof(fc.constant(TEAM), fc.string()),
      event_id: fc.string(),
      challenge: fc.string(),
      event: fc.oneof(
        fc.jsonValue(),
        fc.record(
          {
            type: fc.constantFrom('message', 'app_mention', 'app_home_opened', 'reaction_added'),
            channel: fc.oneof(fc.constantFrom('DU1', 'C0DESK'), fc.string()),
            user: fc.oneof(fc.constant('U1'), fc.string()),
            text: anyText,
            ts: fc.string(),
            thread_ts: fc.string(),
            tab: fc.constantFrom('home', 'messages'),
            subtype: fc.constantFrom('bot_message', 'message_changed'),
          },
          { requiredKeys: [] },
        ),
      ),
      user: fc.oneof(fc.jsonValue(), fc.record({ id: fc.string(), team_id: fc.string() }, { requiredKeys: [] })),
      actions: fc.oneof(
        fc.jsonValue(),
        fc.array(fc.record({ action_id: fc.string(), value: fc.string() }, { requiredKeys: [] })),
      ),
      container: fc.oneof(
        fc.jsonValue(),
        fc.record({ channel_id: fc.string(), message_ts: fc.string() }, { requiredKeys: [] }),
      ),
    },
    { requiredKeys: [] },
  ),
);
const slackBody = fc.oneof(
  slackObject.map((o) => ({ body: JSON.stringify(o), type: 'application/json' })),
  slackObject.map((o) => ({
    body: `payload=${encodeURIComponent(JSON.stringify(o))}`,
    type: 'application/x-www-form-urlencoded',
  })),
  params({
    command: fc.constantFrom('/soc', ''),
    user_id: fc.string(),
    team_id: fc.string(),
    trigger_id: fc.string(),
    text: anyText,
  }).map((p) => ({ body: new URLSearchParams(p).toString(), type: 'application/x-www-form-urlencoded' })),
  fc.string().map((s) => ({ body: s, type: 'application/json' })),
);

const adminAction = fc.record({
  id: fc.oneof(
    fc.integer({ min: 1, max: 4 }).map(String),
    fc.constantFrom('0', '01', '0x1', '1e0', '-1', '99999999999999999999', '1.5', '%00'),
    fc.string(),
  ),
  action: fc.constantFrom('takeover', 'messages', 'release', 'close'),
  body: fc.oneof(
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.record({ text: fc.oneof(anyText, fc.jsonValue()) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
    fc.string(),
  ),
});

describe('every public endpoint, fuzzed with signed bodies', { timeout: 120_000 }, () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness();
    // A few real conversations for the admin actions to find.
    for (const from of ['+14155550001', '+14155550002', '+14155550003'])
      await h.text(from, 'we run payroll for restaurants');
  });
  afterAll(async () => {
    await h.close();
  });
  const post = (path: string, body: string, headers: Record<string, string>) =>
    fetch(h.baseUrl + path, { method: 'POST', body, headers });

  it(`answers ${RUNS} signed Twilio SMS webhooks without a 5xx`, async () => {
    await fc.assert(
      fc.asyncProperty(smsParams, async (p) => {
        const signature = signTwilio(AUTH_TOKEN, `${PUBLIC_BASE_URL}/twilio/sms`, p);
        const res = await post('/twilio/sms', new URLSearchParams(p).toString(), {
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-Twilio-Signature': signature,
        });
        await res.arrayBuffer();
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: RUNS },
    );
  });

  it(`answers ${RUNS} signed Twilio status callbacks without a 5xx`, async () => {
    await fc.assert(
      fc.asyncProperty(statusParams, async (p) => {
        const signature = signTwilio(AUTH_TOKEN, `${PUBLIC_BASE_URL}/twilio/status`, p);
        const res = await post('/twilio/status', new URLSearchParams(p).toString(), {
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-Twilio-Signature': signature,
        });
        await res.arrayBuffer();
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: RUNS },
    );
  });

  it(`answers ${RUNS} signed Slack requests without a 5xx, each within a second`, async () => {
    await fc.assert(
      fc.asyncProperty(slackBody, async ({ body, type }) => {
        const ts = Math.floor(Date.now() / 1000);
        const started = Date.now();
        const res = await post('/slack/events', body, {
          'Content-Type': type,
          'X-Slack-Signature': signSlack(SIGNING_SECRET, ts, body),
          'X-Slack-Request-Timestamp': String(ts),
        });
        await res.arrayBuffer();
        expect(res.status).toBeLessThan(500);
        expect(Date.now() - started, body).toBeLessThan(1000);
      }),
      { numRuns: RUNS },
    );
  });

  it(`answers ${RUNS} authorised admin actions without a 5xx`, async () => {
    await fc.assert(
      fc.asyncProperty(adminAction, async ({ id, action, body }) => {
        const res = await post(`/admin/api/conversations/${encodeURIComponent(id)}/${action}`, body, {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${ADMIN_TOKEN}`,
        });
        await res.arrayBuffer();
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: RUNS },
    );
  });

  it('is still alive and ready afterwards', async () => {
    expect((await fetch(`${h.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${h.baseUrl}/readyz`)).status).toBe(200);
  });
});
