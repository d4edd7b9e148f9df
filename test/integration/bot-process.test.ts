import { describe, expect, it } from 'vitest';
import { signTwilio } from '../support/sign-twilio.js';
import { startBotProcess, runBotExpectingExit, type BotProcess } from '../support/bot-process.js';
import {
  ADMIN_TOKEN,
  AUTH_TOKEN,
  BOT_NUMBER,
  messagesOf,
  newMessageSid,
  PUBLIC_BASE_URL,
  tempDatabasePath,
} from '../support/sms-harness.js';

const ALICE = '+14155550101';

async function text(bot: BotProcess, body: string): Promise<string[]> {
  const params = { MessageSid: newMessageSid(), From: ALICE, To: BOT_NUMBER, Body: body };
  const res = await fetch(`${bot.baseUrl}/twilio/sms`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Twilio-Signature': signTwilio(AUTH_TOKEN, `${PUBLIC_BASE_URL}/twilio/sms`, params),
    },
    body: new URLSearchParams(params).toString(),
  });
  expect(res.status).toBe(200);
  return messagesOf(await res.text());
}

describe('the bot as a process', () => {
  it('starts with no credentials at all, says how to turn SMS on, and stops cleanly on SIGTERM', async () => {
    const bot = await startBotProcess({ DATABASE_URL: `file:${tempDatabasePath()}` });
    expect((await fetch(`${bot.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${bot.baseUrl}/readyz`)).status).toBe(200);
    const sms = await fetch(`${bot.baseUrl}/twilio/sms`, { method: 'POST' });
    expect(sms.status).toBe(503);
    expect(await sms.text()).toMatch(/TWILIO_AUTH_TOKEN/);
    expect(bot.output()).toMatch(/SMS channel is off: set TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL/);
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toBe(0);
    expect(bot.output()).toMatch(/"msg":"stopped"/);
  });

  it('keeps every accepted message across kill -9 and carries on the same conversation', async () => {
    const env = {
      DATABASE_URL: `file:${tempDatabasePath()}`,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      PUBLIC_BASE_URL,
      ADMIN_TOKEN,
    };
    const first = await startBotProcess(env);
    await text(first, 'hi');
    const [question] = await text(first, 'we run payroll for restaurants');
    expect(question).toMatch(/who is asking/i);
    first.child.kill('SIGKILL');
    await first.exited;

    const second = await startBotProcess(env);
    try {
      const [verdict] = await text(second, 'their controller');
      expect(verdict).toMatch(/You need SOC 1\./);
      const list = (await (
        await fetch(`${second.baseUrl}/admin/api/conversations`, {
          headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
        })
      ).json()) as { conversations: Array<{ id: number }> };
      expect(list.conversations).toHaveLength(1);
      const detail = (await (
        await fetch(`${second.baseUrl}/admin/api/conversations/${list.conversations[0]?.id}`, {
          headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
        })
      ).json()) as { transcript: Array<{ text: string }> };
      expect(detail.transcript.map((t) => t.text).filter((_, i) => i % 2 === 0)).toEqual([
        'hi',
        'we run payroll for restaurants',
        'their controller',
      ]);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  // What each variable takes is tested in-process (test/adapters/*config.test.ts): here, once, that
  // the process stops with the message instead of a stack trace, and keeps a secret out of it.
  it('refuses to start on wrong values: exits 1 naming each variable and how to fix it, never echoing a secret', async () => {
    const token = 'short-but-not-repeated-token-31';
    const { code, output } = await runBotExpectingExit({
      ADMIN_TOKEN: token,
      PORT: 'eighty',
      DATABASE_URL: `file:${tempDatabasePath()}`,
    });
    expect(code).toBe(1);
    expect(output).toMatch(/ADMIN_TOKEN/);
    expect(output).toMatch(/at least 32 characters/);
    expect(output).toContain('openssl rand -hex 32');
    expect(output).toMatch(/PORT/);
    expect(output).not.toContain(token);
    expect(output).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m); // no stack frame
  });
});
