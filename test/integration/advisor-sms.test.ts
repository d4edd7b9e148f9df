import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/log/create-logger.js';
import { COMMAND_LIMITS, createCommandGate } from '../../src/adapters/twilio/advisor-command-gate.js';
import { createTwilioRouter } from '../../src/adapters/twilio/twilio-routes.js';
import { createSqliteConversationStore } from '../../src/adapters/sqlite/sqlite-conversation-store.js';
import type { HandleInbound } from '../../src/core/driving-ports.js';
import type { Store, OutboxItem } from '../../src/core/ports.js';
import { by, copy, flow } from '../support/copy.js';
import { drainOutbox } from '../support/drain-outbox.js';
import { signTwilio } from '../support/sign-twilio.js';
import {
  AUTH_TOKEN,
  BOT_NUMBER,
  messagesOf,
  newMessageSid,
  PUBLIC_BASE_URL,
  replyTo,
  startSmsHarness,
  tempDatabasePath,
  type SmsHarness,
} from '../support/sms-harness.js';

const ALICE = '+14155550101';
const BOB = '+14155550102';
/** PJ's own phone (ADVISOR_NOTIFY_SMS). */
const PJ_PHONE = '+18585550199';
const t = flow.advisor.commands;
/** PJ's list with Bob's conversation alone in it, flagged for a person. */
const listed = (id: number, where: string) =>
  copy(t.list, { items: copy(t.listItemFlagged, { id, where, reasons: 'human', sender: '+1415***0102' }) });

const clientTexts = (items: OutboxItem[]) =>
  items.flatMap((o) => (o.destination.kind === 'client' && o.payload.type === 'text' ? [o.payload.text] : []));

describe('PJ texting the bot from his own phone', () => {
  let h: SmsHarness;
  let store: Store;
  let bob: number;
  /** PJ's (or a client's) text and the TwiML reply texts; the webhook must answer 200. */
  const text = (from: string, body: string, sid?: string) => replyTo(h, from, body, sid);

  beforeEach(async () => {
    // The outbox worker is not started: what would go out stays queued for the test to read.
    h = await startSmsHarness({
      TWILIO_ACCOUNT_SID: `AC${'c3'.repeat(16)}`,
      TWILIO_PHONE_NUMBER: BOT_NUMBER,
      ADVISOR_NOTIFY_SMS: PJ_PHONE,
    });
    store = h.composed.store;
    await text(ALICE, 'we run payroll');
    await text(BOB, 'can I talk to a real person?');
    bob = (await store.list({ participant: BOB }))[0]?.id ?? 0;
    // PJ's phone was told about Bob with his short number.
    const notices = (await drainOutbox(store)).filter((o) => o.destination.kind === 'advisorSms');
    expect(notices).toHaveLength(1);
  });
  afterEach(async () => {
    await h.close();
  });

  it('lists who is waiting', async () => {
    expect(await text(PJ_PHONE, 'list')).toEqual([listed(bob, t.waiting)]);
  });

  it('replies, hands back and closes by short number, as PJ and never as a client', async () => {
    expect(await text(PJ_PHONE, `${bob} Hi Bob, PJ here.`)).toEqual([copy(t.sent, { id: bob })]);
    expect(clientTexts(await drainOutbox(store))).toEqual(['Hi Bob, PJ here.']);
    const afterReply = await store.get(bob);
    expect(afterReply?.status).toBe('human');
    expect(afterReply?.transcript.slice(-2).map((e) => e.text)).toEqual([
      copy(flow.transcript.tookOver, { by: by('sms') }),
      'Hi Bob, PJ here.',
    ]);
    expect(await text(PJ_PHONE, 'list')).toEqual([listed(bob, t.withYou)]);

    expect(await text(PJ_PHONE, `#${bob} back`)).toEqual([copy(t.handedBack, { id: bob })]);
    expect((await store.get(bob))?.status).toBe('bot');
    expect(clientTexts(await drainOutbox(store))).toEqual([expect.stringMatching(/^PJ handed you back to me\./)]);

    expect(await text(PJ_PHONE, `${bob} CLOSE`)).toEqual([`#${bob} closed.`]);
    expect((await store.get(bob))?.status).toBe('closed');
    expect(await text(PJ_PHONE, 'list')).toEqual([copy(t.listEmpty)]);

    // None of it made PJ a client.
    expect(await store.list({ participant: PJ_PHONE })).toEqual([]);
    const logs = h.logs.join('');
    expect(logs).toMatch(/handled advisor command by SMS/);
    expect(logs).not.toContain(PJ_PHONE);
    expect(logs).not.toContain(BOB);
  });

  it('answers anything else with the usage line', async () => {
    const usage = [copy(t.usage, { id: 'N' })];
    expect(await text(PJ_PHONE, 'nonsense')).toEqual(usage);
    expect(await text(PJ_PHONE, `${bob}`)).toEqual(usage);
    expect(await text(PJ_PHONE, 'STOP')).toEqual(usage);
    expect(await text(PJ_PHONE, '999 hello')).toEqual([copy(flow.advisor.refused.not_found, { id: 999 })]);
    expect(clientTexts(await drainOutbox(store))).toEqual([]);
  });

  it('leaves clients unaffected, even when they text a command word', async () => {
    const replies = await text(ALICE, 'list');
    expect(replies).toHaveLength(1);
    expect(replies[0]?.startsWith(copy(t.list, { items: '' }))).toBe(false);
    expect(replies[0]).not.toBe(copy(t.listEmpty));
    const alice = await store.get((await store.list({ participant: ALICE }))[0]?.id ?? 0);
    expect(alice?.transcript.filter((e) => e.direction === 'in').map((e) => e.text)).toEqual([
      'we run payroll',
      'list',
    ]);
    expect(await text(ALICE, `${bob} close`)).not.toEqual([copy(t.closed, { id: bob })]);
    expect((await store.get(bob))?.status).toBe('waiting');
  });

  it('runs a retried MessageSid once and answers it the same', async () => {
    const sid = newMessageSid();
    // Twilio may retry while the first request is still running, or after it answered.
    const [first, second] = await Promise.all([
      text(PJ_PHONE, `${bob} only once`, sid),
      text(PJ_PHONE, `${bob} only once`, sid),
    ]);
    const third = await text(PJ_PHONE, `${bob} only once`, sid);
    expect(first).toEqual([copy(t.sent, { id: bob })]);
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(clientTexts(await drainOutbox(store))).toEqual(['only once']);
    expect((await store.get(bob))?.transcript.filter((e) => e.text === 'only once')).toHaveLength(1);
    expect(h.logs.join('')).toMatch(/repeated Twilio message from the advisor/);
  });

  it("still checks the signature on PJ's texts", async () => {
    const res = await fetch(`${h.baseUrl}/twilio/sms`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': 'forged' },
      body: new URLSearchParams({
        MessageSid: newMessageSid(),
        From: PJ_PHONE,
        To: BOT_NUMBER,
        Body: `${bob} close`,
      }).toString(),
    });
    expect(res.status).toBe(403);
    expect((await store.get(bob))?.status).toBe('waiting');
  });
});

describe('a command from PJ that fails', () => {
  it('answers 500 so Twilio retries, the retry runs it again, and later retries (even after a restart) do not', async () => {
    let calls = 0;
    const path = tempDatabasePath();
    let once = createSqliteConversationStore(path);
    const handleInbound: HandleInbound = () => Promise.reject(new Error('a client text was not expected here'));
    const app = express().use(
      '/twilio',
      createTwilioRouter({
        authToken: AUTH_TOKEN,
        publicBaseUrl: PUBLIC_BASE_URL,
        handleInbound,
        logger: createLogger('silent'),
        now: Date.now,
        advisor: {
          number: PJ_PHONE,
          gate: createCommandGate({ pin: null, ...COMMAND_LIMITS }),
          refused: () => Promise.reject(new Error('no PIN is set')),
          run: (body, sid) =>
            once.onceForAdvisor('twilio', sid, Date.now(), async () => {
              calls += 1;
              if (calls === 1) throw new Error('database busy');
              return `ran ${body}`;
            }),
        },
      }),
    );
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const send = (sid: string) => {
      const params = { MessageSid: sid, From: PJ_PHONE, To: BOT_NUMBER, Body: 'list' };
      return fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/twilio/sms`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'X-Twilio-Signature': signTwilio(AUTH_TOKEN, `${PUBLIC_BASE_URL}/twilio/sms`, params),
        },
        body: new URLSearchParams(params).toString(),
      });
    };
    try {
      const sid = newMessageSid();
      expect((await send(sid)).status).toBe(500);
      expect(messagesOf(await (await send(sid)).text())).toEqual(['ran list']);
      expect(messagesOf(await (await send(sid)).text())).toEqual(['ran list']);
      await once.close();
      once = createSqliteConversationStore(path);
      expect(messagesOf(await (await send(sid)).text())).toEqual(['ran list']);
      expect(calls).toBe(2);
    } finally {
      await once.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
