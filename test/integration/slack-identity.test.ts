import { afterEach, describe, expect, it } from 'vitest';
import { dm, startSlackHarness, type SlackHarness } from '../support/slack-harness.js';

/**
 * Slack unreachable as the bot starts. Bolt's own authorize asked auth.test in the App's constructor
 * and kept the rejected promise unhandled: the process ended, SMS and all, and any later event
 * failed on it. Now the failure is logged, an event that arrives while the bot's identity is unknown
 * is answered 503 (Slack sends it again), and once auth.test answers the same event is handled.
 */
describe('Slack unreachable at start', () => {
  let h: SlackHarness | undefined;
  afterEach(async () => {
    await h?.close();
  });

  it('keeps running, answers events 503 until auth.test answers, then handles the retry', async () => {
    let reachable = false;
    let crashed: unknown = null;
    const onRejection = (reason: unknown) => {
      crashed = reason;
    };
    process.on('unhandledRejection', onRejection);
    try {
      h = await startSlackHarness({}, (call) =>
        call.method === 'auth.test' && !reachable ? [503, { ok: false, error: 'service_unavailable' }] : undefined,
      );
      // The start-up ask and its retries fail (AUTH_RETRY: three tries, under a second).
      await h.waitFor('auth.test', 3);
      await new Promise((r) => setTimeout(r, 300));
      expect(crashed).toBeNull();

      const event = dm('U77', 'hi');
      const refused = await h.event(event, 'EvIdentity1');
      expect(refused.status).toBe(503);
      expect(h.calls.filter((c) => c.method === 'chat.postMessage')).toEqual([]);

      reachable = true;
      const retried = await h.event(event, 'EvIdentity1', {
        'X-Slack-Retry-Num': '1',
        'X-Slack-Retry-Reason': 'http_error',
      });
      expect(retried.status).toBe(200);
      const [reply] = await h.waitFor('chat.postMessage');
      expect(reply?.body.channel).toBe('DU77');
      expect(String(reply?.body.text)).toMatch(/What does your product do\?/);
      expect(crashed).toBeNull();

      // Known now: the next event is acknowledged without asking auth.test again.
      const asked = h.calls.filter((c) => c.method === 'auth.test').length;
      expect((await h.event(dm('U78', 'hi'))).status).toBe(200);
      await h.waitFor('chat.postMessage', 2);
      expect(h.calls.filter((c) => c.method === 'auth.test').length).toBe(asked);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});
