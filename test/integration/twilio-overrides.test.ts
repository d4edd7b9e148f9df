import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.js';
import { signTwilio } from '../support/sign-twilio.js';
import {
  AUTH_TOKEN,
  BOT_NUMBER,
  PUBLIC_BASE_URL,
  newMessageSid,
  startSmsHarness,
  type SmsHarness,
} from '../support/sms-harness.js';

// Twilio retries a webhook that answered 5xx only when the URL set in Twilio carries connection
// overrides after a # (e.g. #rc=3&rp=ct,rt,5xx). The fragment is not sent with the request, so the
// bot cannot tell whether Twilio signed the URL with it: with TWILIO_WEBHOOK_OVERRIDES it accepts
// a signature over either, and nothing else. Signatures here are made with Twilio's algorithm.

const OVERRIDES = 'rc=3&rp=ct,rt,5xx';

function signedText(harness: SmsHarness, signedUrl: string) {
  const params = { MessageSid: newMessageSid(), From: '+14155550123', To: BOT_NUMBER, Body: 'hi' };
  return harness.post('/twilio/sms', params, { 'X-Twilio-Signature': signTwilio(AUTH_TOKEN, signedUrl, params) });
}

describe('Twilio connection overrides on the webhook URL', () => {
  const webhook = `${PUBLIC_BASE_URL}/twilio/sms`;

  it('accepts a signature over the URL with or without the configured fragment, and no other', async () => {
    const harness = await startSmsHarness({ TWILIO_WEBHOOK_OVERRIDES: `#${OVERRIDES}` });
    try {
      expect((await signedText(harness, `${webhook}#${OVERRIDES}`)).status).toBe(200);
      expect((await signedText(harness, webhook)).status).toBe(200);
      expect((await signedText(harness, `${webhook}#rc=5&rp=all`)).status).toBe(403);
      expect((await signedText(harness, `${webhook}?x=1#${OVERRIDES}`)).status).toBe(403);
    } finally {
      await harness.close();
    }
  });

  it('without TWILIO_WEBHOOK_OVERRIDES, refuses a signature over a URL with a fragment and says what to check', async () => {
    const harness = await startSmsHarness();
    try {
      expect((await signedText(harness, `${webhook}#${OVERRIDES}`)).status).toBe(403);
      expect(harness.logs.join('')).toMatch(/PUBLIC_BASE_URL \+ path/);
    } finally {
      await harness.close();
    }
  });

  it('reads the overrides with or without the #, and refuses something that is not one', () => {
    const env = { TWILIO_AUTH_TOKEN: AUTH_TOKEN, PUBLIC_BASE_URL };
    expect(parseConfig({ ...env, TWILIO_WEBHOOK_OVERRIDES: OVERRIDES }).sms?.webhookOverrides).toBe(OVERRIDES);
    expect(parseConfig({ ...env, TWILIO_WEBHOOK_OVERRIDES: `#${OVERRIDES}` }).sms?.webhookOverrides).toBe(OVERRIDES);
    expect(parseConfig(env).sms).not.toHaveProperty('webhookOverrides');
    expect(() => parseConfig({ ...env, TWILIO_WEBHOOK_OVERRIDES: 'https://bot.example.test/twilio/sms#rc=3' })).toThrow(
      /TWILIO_WEBHOOK_OVERRIDES/,
    );
  });
});
