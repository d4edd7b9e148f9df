import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/log/create-logger.js';
import { compose, type Composed } from '../../src/compose.js';
import { parseConfig } from '../../src/config.js';
import { copy, flow } from '../support/copy.js';
import {
  ADMIN_TOKEN,
  AUTH_TOKEN,
  BOT_NUMBER,
  messagesOf,
  newMessageSid,
  postSignedSms,
  PUBLIC_BASE_URL,
  tempDatabasePath,
} from '../support/sms-harness.js';
import { interceptSlackApi, SIGNING_SECRET, type SlackApi } from '../support/slack-harness.js';
import { jsonReply, newSid } from '../support/twilio-rest.js';

// Quiet hours through the real signed webhook, the real outbox and a SQLite file, with the clock
// injected: the bot's own texts wait for 8:00 in the client's zone, and a restart while they wait
// sends them all the same.

const ACCOUNT = `AC${'a7'.repeat(16)}`;
const LA = '+18585550111'; // San Diego
const NY = '+12125550112'; // Manhattan
const DESK = 'C0DESK';
const utc = (iso: string) => Date.parse(iso);

interface Bot {
  composed: Composed;
  text(from: string, body: string, extra?: Record<string, string>): Promise<string[]>;
  admin(path: string): Promise<Response>;
  close(): Promise<void>;
}

describe('quiet hours over SMS, end to end', () => {
  let clock: number;
  let path: string;
  let sent: Array<Record<string, string>>;
  let bot: Bot;
  let slack: SlackApi;

  async function start(env: Record<string, string> = {}): Promise<Bot> {
    const config = parseConfig({
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_ACCOUNT_SID: ACCOUNT,
      TWILIO_PHONE_NUMBER: BOT_NUMBER,
      PUBLIC_BASE_URL,
      ADMIN_TOKEN,
      DATABASE_URL: `file:${path}`,
      TZ: 'America/Los_Angeles',
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_HANDOFF_CHANNEL: DESK,
      SLACK_ADVISOR_USER_IDS: 'U0PJ',
      LOG_LEVEL: 'silent',
      ...env,
    });
    const composed = compose(config, {
      logger: createLogger('silent'),
      now: () => clock,
      slackRetry: { retries: 0 },
    });
    const server: Server = await new Promise((resolve) => {
      const s = composed.http.listen(0, '127.0.0.1', () => resolve(s));
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
      composed,
      async text(from, body, extra = {}) {
        const params = {
          MessageSid: newMessageSid(),
          AccountSid: ACCOUNT,
          From: from,
          To: BOT_NUMBER,
          Body: body,
          NumMedia: '0',
          ...extra,
        };
        const res = await postSignedSms(base, params);
        expect(res.status).toBe(200);
        return messagesOf(await res.text());
      },
      admin: (p) => fetch(`${base}/admin/api${p}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } }),
      async close() {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await composed.store.close();
      },
    };
  }

  beforeEach(async () => {
    path = tempDatabasePath();
    sent = [];
    nock('https://api.twilio.com')
      .persist()
      .post(`/2010-04-01/Accounts/${ACCOUNT}/Messages.json`)
      .reply((_uri, body) => {
        const form = Object.fromEntries(new URLSearchParams(String(body)));
        sent.push(form);
        return jsonReply(201, { sid: newSid(), status: 'queued', to: form.To, body: form.Body });
      });
    slack = interceptSlackApi();
    clock = utc('2026-01-15T20:00:00Z'); // noon in California, 15:00 in New York
    bot = await start();
  });
  afterEach(async () => {
    await bot.close();
  });

  const to = (number: string) => sent.filter((m) => m.To === number).map((m) => m.Body ?? '');
  const flush = async () => {
    for (let before = -1; before !== sent.length + slack.calls.length;) {
      before = sent.length + slack.calls.length;
      await bot.composed.background.runOnce();
    }
  };
  async function idOf(number: string): Promise<number> {
    const list = (await (await bot.admin(`/conversations?participant=${encodeURIComponent(number)}`)).json()) as {
      conversations: Array<{ id: number }>;
    };
    return list.conversations[0]?.id ?? 0;
  }

  it("holds the hand-back line for each client's night, answers their texts at once, and sends it after a restart", async () => {
    for (const client of [LA, NY]) {
      await bot.text(client, 'hi');
      expect(await bot.text(client, 'can I talk to a person?')).toEqual([expect.stringMatching(/real person/)]);
    }
    await flush();
    const [la, ny] = [await idOf(LA), await idOf(NY)];

    clock = utc('2026-01-16T06:30:00Z'); // 22:30 in California, 1:30 in New York
    await bot.composed.actions.release(la, 'console');
    await bot.composed.actions.release(ny, 'console');
    await flush();
    expect([...to(LA), ...to(NY)]).toEqual([]);

    // A direct reply is never held, at any hour.
    clock = utc('2026-01-16T07:00:00Z');
    expect(await bot.text(NY, 'hello?')).toEqual([expect.stringMatching(/What does your product do/)]);
    await flush();
    // New York wrote first: its held line no longer fits and is dropped, noted for PJ.
    const nyNotes = (
      (await (await bot.admin(`/conversations/${ny}`)).json()) as { transcript: Array<{ text: string }> }
    ).transcript.map((e) => e.text);
    expect(
      nyNotes.some((t) =>
        t.startsWith(
          copy(flow.transcript.heldDropped, { reason: copy(flow.transcript.heldReasons.clientWrote), text: '' }),
        ),
      ),
    ).toBe(true);

    await bot.close();
    bot = await start();
    clock = utc('2026-01-16T15:59:00Z'); // 7:59 in California
    await flush();
    expect(to(LA)).toEqual([]);
    clock = utc('2026-01-16T16:00:00Z');
    await flush();
    expect(to(LA)).toEqual([expect.stringMatching(new RegExp(`^${copy(flow.resumed)}`))]);
    expect(to(NY)).toEqual([]);
  });

  it("places a number by Twilio's FromState when its area code does not say", async () => {
    const unlisted = '+15555550113';
    await bot.text(unlisted, 'hi', { FromState: 'ny' });
    await bot.text(unlisted, 'can I talk to a person?');
    await flush();
    clock = utc('2026-01-16T06:30:00Z');
    await bot.composed.actions.release(await idOf(unlisted), 'console');
    clock = utc('2026-01-16T13:00:00Z'); // 8:00 in New York, 5:00 in California
    await flush();
    expect(to(unlisted)).toHaveLength(1);
  });

  it("shows PJ the client's local time beside the reply box and in the desk header, and says when it is night there", async () => {
    await bot.text(NY, 'hi');
    await bot.text(NY, 'how much does it cost?');
    await flush();
    const header = slack.calls.find((c) => c.method === 'chat.postMessage' && c.body.channel === DESK);
    expect(JSON.stringify(header?.body.blocks)).toContain(
      copy(flow.clientTime.day, { time: '3:00 PM EST', zone: 'America/New_York' }),
    );
    clock = utc('2026-01-16T04:42:00Z'); // 23:42 in New York
    const id = await idOf(NY);
    const { clientTime } = (await (await bot.admin(`/conversations/${id}/client-time`)).json()) as {
      clientTime: { timeZone: string; night: boolean; label: string; text: string };
    };
    expect(clientTime).toEqual({
      timeZone: 'America/New_York',
      source: 'areaCode',
      night: true,
      label: copy(flow.clientTime.label),
      text: copy(flow.clientTime.night, { time: '11:42 PM EST', zone: 'America/New_York', opens: '8:00 AM EST' }),
    });

    clock = utc('2026-01-16T15:00:00Z');
    const day = (await (await bot.admin(`/conversations/${id}/client-time`)).json()) as {
      clientTime: { night: boolean; text: string };
    };
    expect(day.clientTime).toMatchObject({
      night: false,
      text: copy(flow.clientTime.day, { time: '10:00 AM EST', zone: 'America/New_York' }),
    });
  });

  it('holds nothing with QUIET_HOURS=off, and says so to PJ', async () => {
    await bot.close();
    bot = await start({ QUIET_HOURS: 'off' });
    await bot.text(LA, 'hi');
    await bot.text(LA, 'can I talk to a person?');
    await flush();
    clock = utc('2026-01-16T06:30:00Z');
    const id = await idOf(LA);
    await bot.composed.actions.release(id, 'console');
    await flush();
    expect(to(LA)).toHaveLength(1);
    const { clientTime } = (await (await bot.admin(`/conversations/${id}/client-time`)).json()) as {
      clientTime: { night: boolean; text: string };
    };
    expect(clientTime).toMatchObject({
      night: true,
      text: copy(flow.clientTime.nightNoHold, { time: '10:30 PM PST', zone: 'America/Los_Angeles' }),
    });
  });
});
