import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signSlack } from '../support/sign-slack.js';
import { dm, SIGNING_SECRET, startSlackHarness, TEAM, type SlackHarness } from '../support/slack-harness.js';

const settle = () => new Promise((r) => setTimeout(r, 150));
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('Slack requests: what is refused, what is acknowledged and ignored', () => {
  let h: SlackHarness;
  beforeEach(async () => {
    h = await startSlackHarness();
  });
  afterEach(async () => {
    await h.close();
  });
  const event = (eventId: string) =>
    JSON.stringify({ type: 'event_callback', team_id: TEAM, event_id: eventId, event: dm('U77', 'hi') });

  it.each([
    ['an hour ahead', 3600],
    ['ten years ahead', 10 * 365 * 86400],
    ['six minutes ago', -360],
  ])('refuses a timestamp %s with 401', async (_name, offset) => {
    const res = await h.send(event(`EvTS${offset}`), 'application/json', {}, nowSeconds() + offset);
    expect(res.status).toBe(401);
  });

  it('accepts a timestamp a little ahead (clock skew under 5 minutes)', async () => {
    const res = await h.send(event('EvSkew'), 'application/json', {}, nowSeconds() + 120);
    expect(res.status).toBe(200);
  });

  it('refuses any signature that is not v0=, even with the right HMAC', async () => {
    const body = event('EvV1');
    const ts = nowSeconds();
    const v1 = signSlack(SIGNING_SECRET, ts, body).replace(/^v0=/, 'v1=');
    expect((await h.send(body, 'application/json', { 'X-Slack-Signature': v1 }, ts)).status).toBe(401);
    expect((await h.send(body, 'application/json', { 'X-Slack-Signature': 'v0=abc' }, ts)).status).toBe(401);
  });

  it.each([
    ['null', 'null'],
    ['a number', '42'],
    ['an unknown type', JSON.stringify({ type: 'something_new', team_id: TEAM })],
    [
      'a message event without channel',
      JSON.stringify({ type: 'event_callback', team_id: TEAM, event_id: 'Ev1', event: { type: 'message' } }),
    ],
    ['an event_callback without event', JSON.stringify({ type: 'event_callback', team_id: TEAM, event_id: 'Ev2' })],
    [
      'an action without container',
      `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U1' }, actions: [{ action_id: 'soc_start' }] }))}`,
    ],
  ])('acknowledges %s with 200 at once and does nothing', async (_name, body) => {
    const started = Date.now();
    const type = body.startsWith('payload=') ? 'application/x-www-form-urlencoded' : 'application/json';
    const res = await h.send(body, type);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000);
    await settle();
    expect(h.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(0);
  });

  it('answers 400 to a signed body that is not JSON', async () => {
    expect((await h.send('{"type": "event_callback",', 'application/json')).status).toBe(400);
  });

  it('still passes a real event through to the bot', async () => {
    const res = await h.event(dm('U78', 'hi'), 'EvReal');
    expect(res.status).toBe(200);
    const [reply] = await h.waitFor('chat.postMessage');
    expect(reply?.body.channel).toBe('DU78');
  });
});
