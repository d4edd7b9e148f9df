import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAdvisorActions } from '../../src/app/advisor-actions.js';
import { createInboundHandler } from '../../src/app/handle-inbound.js';
import {
  createOutboxWorker,
  retryDelayMs,
  type OutboxSenders,
  type OutboxWorker,
} from '../../src/app/outbox-worker.js';
import { createSqliteConversationStore } from '../../src/adapters/sqlite/sqlite-conversation-store.js';
import { addressOfKey } from '../../src/adapters/slack/slack-conversations.js';
import {
  createSmsAdvisorNotifier,
  createSmsClientSender,
  createTwilioSender,
} from '../../src/adapters/twilio/twilio-sender.js';
import { createOutboxSenders } from '../../src/compose.js';
import type { BotSettings } from '../../src/core/bot-settings.js';
import type { Store } from '../../src/core/ports.js';
import { copy } from '../support/copy.js';
import { recordLog } from '../support/logs.js';
import { botSettings } from '../support/settings.js';
import {
  ACCOUNT_SID,
  BOT_FROM,
  newSid,
  REST_AUTH_TOKEN,
  twilioError,
  twilioStandIn,
  type TwilioStandIn,
} from '../support/twilio-rest.js';

const PJ_PHONE = '+18585550199';
const CALLBACK = 'https://bot.example.test/twilio/status';
const LEASE = 60_000;
const OFF = { off: 'off in this test' };
const settings = botSettings({ handoff: { notifySms: PJ_PHONE } });

let t = 1_800_000_000_000;
const now = () => t;
let path: string;
let stores: Store[];
let store: Store;
let twilio: TwilioStandIn;
let logged: ReturnType<typeof recordLog>;
let clients = 0;

function open(): Store {
  const opened = createSqliteConversationStore(path);
  stores.push(opened);
  return opened;
}

// A generous timeout by default: the first request a process makes is slow to set up, more so on a loaded
// machine. The test of a timeout passes its own short one.
function worker(options: { on?: Store; apiUrl?: string; maxAttempts?: number; timeoutMs?: number } = {}): OutboxWorker {
  const { on = store, apiUrl, maxAttempts, timeoutMs = 5_000 } = options;
  const sms = createTwilioSender({
    accountSid: ACCOUNT_SID,
    authToken: REST_AUTH_TOKEN,
    from: BOT_FROM,
    statusCallback: CALLBACK,
    timeoutMs,
    ...(apiUrl !== undefined && { apiUrl }),
  });
  const senders: OutboxSenders = {
    clients: { sms: createSmsClientSender(sms), slack: OFF, web: OFF },
    advisorPhone: (to) => createSmsAdvisorNotifier(sms, to, settings.flow, settings.advisor),
    desk: OFF,
  };
  const deps = { store: on, settings, senders, now, log: logged.log, leaseMs: LEASE };
  return createOutboxWorker({ ...deps, ...(maxAttempts !== undefined && { maxAttempts }) });
}

/** A new SMS client says hi (through the real inbound path), then PJ replies with each text. */
async function conversationWith(...replies: string[]): Promise<{ id: number; client: string }> {
  clients += 1;
  const client = `+1415555${String(clients).padStart(4, '0')}`;
  const handle = createInboundHandler(store, settings);
  const { conversationId: id } = await handle({
    channel: 'sms',
    participant: client,
    conversationKey: client,
    provider: 'twilio',
    externalId: newSid(),
    text: 'hi',
    receivedAt: t,
  });
  const actions = createAdvisorActions(store, settings, now);
  for (const text of replies) expect((await actions.reply(id, text, 'console')).ok).toBe(true);
  return { id, client };
}

const bodies = () => twilio.received.map((form) => form.Body);
const toPj = () => twilio.received.filter((form) => form.To === PJ_PHONE);

beforeEach(() => {
  path = join(mkdtempSync(join(tmpdir(), 'soc-outbox-')), 'test.db');
  stores = [];
  store = open();
  twilio = twilioStandIn();
  logged = recordLog();
});

afterEach(async () => {
  for (const each of stores) await each.close();
});

describe('outbox worker', () => {
  it('sends a text once, with To, From, Body and StatusCallback, and records its SID', async () => {
    const { client } = await conversationWith('hello from PJ');
    twilio.answer();
    expect(await worker().tick()).toBe(1);
    expect(twilio.received).toEqual([{ To: client, From: BOT_FROM, Body: 'hello from PJ', StatusCallback: CALLBACK }]);
    const sid = twilio.sids.get('hello from PJ') ?? '';
    expect(await store.recordDelivery(sid, 'sent', null, t)).toMatchObject({ status: 'sent', providerId: sid });
    t += LEASE * 10;
    expect(await worker().tick()).toBe(0);
    expect(twilio.received).toHaveLength(1);
  });

  it('sends a second text to the same client only after the first went out', async () => {
    await conversationWith('first', 'second');
    twilio.answer(undefined, { times: 2 });
    const w = worker();
    await w.tick();
    expect(bodies()).toEqual(['first']);
    await w.tick();
    expect(bodies()).toEqual(['first', 'second']);
  });

  it.each([
    ['a 500', () => twilioError(500)],
    ['a 429', () => twilioError(429, 20429, 'Too Many Requests')],
  ])('retries after %s once the backoff has passed', async (_name, reply) => {
    await conversationWith('hello from PJ');
    const w = worker();
    twilio.answer(reply);
    await w.tick();
    t += retryDelayMs(1) - 1;
    // Not due yet: nothing is sent (no reply is set up, so a request would show in `received`).
    expect(await w.tick()).toBe(0);
    t += 1;
    twilio.answer();
    expect(await w.tick()).toBe(1);
    expect(bodies()).toEqual(['hello from PJ', 'hello from PJ']);
    expect(logged.entries.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual([
      expect.stringContaining('will retry'),
    ]);
    twilio.assertDone();
  });

  it('backs off exponentially, deterministically, up to 5 minutes', () => {
    expect([1, 2, 3, 4, 8, 20].map(retryDelayMs)).toEqual([2_000, 4_000, 8_000, 16_000, 256_000, 300_000]);
  });

  it('retries a request that timed out', async () => {
    await conversationWith('hello from PJ');
    const w = worker({ timeoutMs: 300 });
    twilio.answer(undefined, { delayMs: 2_000 });
    await w.tick();
    expect(logged.entries.map((l) => l.msg)).toEqual([expect.stringContaining('will retry')]);
    t += retryDelayMs(1);
    twilio.answer();
    expect(await w.tick()).toBe(1);
    expect(logged.entries.at(-1)?.msg).toBe('outbox: sent');
  });

  it('gives up after maxAttempts retryable failures and tells PJ', async () => {
    await conversationWith('hello from PJ');
    const w = worker({ maxAttempts: 2 });
    twilio.answer(() => twilioError(503), { times: 2 });
    await w.tick();
    t += retryDelayMs(1);
    await w.tick();
    twilio.answer();
    await w.tick();
    expect(toPj().map((form) => form.Body)).toEqual([expect.stringContaining('NOT delivered (503')]);
  });

  it('fails a text Twilio refuses for good and texts PJ that it was NOT delivered', async () => {
    const { id } = await conversationWith('hello from PJ');
    const w = worker();
    twilio.answer(() => twilioError(400, 21211, "The 'To' number is not a valid phone number."));
    await w.tick();
    twilio.answer();
    await w.tick();
    expect(toPj().map((form) => form.Body)).toEqual([
      `#${id}: NOT delivered (21211: Twilio answered HTTP 400: The 'To' number is not a valid phone number.): hello from PJ`,
    ]);
    t += LEASE * 10;
    expect(await w.tick()).toBe(0);
    expect(logged.entries.some((l) => l.level === 'error' && l.msg.includes('will not be retried'))).toBe(true);
  });

  it('opts the client out on 21610 and tells PJ', async () => {
    const { id } = await conversationWith('hello from PJ', 'are you there?');
    const w = worker();
    twilio.answer(() => twilioError(400, 21610, 'Attempt to send to unsubscribed recipient'));
    await w.tick();
    expect((await store.get(id))?.status).toBe('opted_out');
    expect((await store.get(id))?.transcript.map((e) => e.text)).toContain(
      copy(settings.flow.transcript.carrierOptedOut, { code: '21610' }),
    );
    twilio.answer();
    await w.tick();
    // The second reply is never attempted: the client opted out. PJ hears about both texts.
    expect(bodies().filter((b) => !b?.startsWith('#'))).toEqual(['hello from PJ']);
    twilio.answer();
    await w.tick();
    expect(toPj().map((form) => form.Body)).toEqual([
      expect.stringMatching(new RegExp(`^#${id}: NOT delivered \\(21610.*: hello from PJ$`)),
      expect.stringMatching(new RegExp(`^#${id}: NOT delivered .*opted out.*: are you there\\?$`)),
    ]);
  });

  it('never resends a text whose worker died between sending and marking it; PJ hears it may not have gone', async () => {
    const { id } = await conversationWith('hello from PJ');
    const dying = open();
    // The process dies right after Twilio took the message: marking it sent never happens.
    const crashing: Store = { ...dying, markOutboxSent: () => Promise.reject(new Error('process killed')) };
    twilio.answer();
    await worker({ on: crashing }).tick();
    expect(bodies()).toEqual(['hello from PJ']);
    t += LEASE - 1;
    const fresh = worker({ on: open() });
    expect(await fresh.tick()).toBe(0);
    t += 1;
    twilio.answer();
    await fresh.tick();
    expect(bodies()).toEqual([
      'hello from PJ',
      `#${id}: may not have been delivered (the bot stopped mid-send and will not resend it): hello from PJ`,
    ]);
    t += LEASE * 10;
    expect(await fresh.tick()).toBe(0);
    expect(twilio.received).toHaveLength(2);
  });

  it('tells PJ on his next notice on each surface, and in the transcript the console shows, when a notice to him may not have gone', async () => {
    const { id } = await conversationWith();
    const reminder = {
      destination: { kind: 'advisorSms', to: PJ_PHONE },
      payload: { type: 'notice', notice: { kind: 'reminder' } },
    } as const;
    await store.enqueueOutbox(id, [reminder], t);
    const withDesk: BotSettings = { ...settings, handoff: { ...settings.handoff, desk: true } };
    const deskNotices: Array<{ kind: string; text?: string }> = [];
    const desk = {
      notify: async (notice: { kind: string }) => (deskNotices.push(notice), `1.${deskNotices.length}`),
      markDelivered: async () => undefined,
    };
    const sms = createTwilioSender({
      accountSid: ACCOUNT_SID,
      authToken: REST_AUTH_TOKEN,
      from: BOT_FROM,
      timeoutMs: 300,
    });
    const senders: OutboxSenders = {
      clients: { sms: createSmsClientSender(sms), slack: OFF, web: OFF },
      advisorPhone: (to) => createSmsAdvisorNotifier(sms, to, settings.flow, settings.advisor),
      desk,
    };
    const { log } = recordLog();
    const on = (s: Store) => createOutboxWorker({ store: s, settings: withDesk, senders, now, log, leaseMs: LEASE });
    const dying = (): Store => ({ ...open(), markOutboxSent: () => Promise.reject(new Error('process killed')) });

    // The reminder reaches Twilio, then the process dies before marking it sent.
    twilio.answer();
    await on(dying()).tick();
    const reminderText = copy(settings.flow.advisor.reminder, { id, reasons: settings.flow.advisor.labels.noReasons });
    expect(toPj().map((form) => form.Body)).toEqual([reminderText]);

    // Once its lease is over it is unknown, never resent; PJ's next notice, on his phone and his desk, says so.
    t += LEASE;
    twilio.answer();
    await on(open()).tick();
    const lost = copy(settings.flow.advisor.noticeLost, {
      id,
      via: settings.flow.advisor.labels.viaSms,
      text: reminderText,
    });
    expect(toPj().map((form) => form.Body)).toEqual([reminderText, lost]);
    expect(deskNotices).toEqual([{ kind: 'noticeLost', via: 'sms', text: reminderText }]);
    const note = copy(settings.flow.transcript.noticeLost, {
      via: settings.flow.advisor.labels.viaSms,
      text: reminderText,
    });
    expect((await store.get(id))?.transcript.at(-1)).toMatchObject({ direction: 'event', author: 'bot', text: note });
    twilio.assertDone();

    // A report that is itself lost is only noted: one crash never starts a chain of notices.
    const again = {
      destination: { kind: 'desk' },
      payload: { type: 'notice', notice: { kind: 'noticeLost', via: 'sms', text: reminderText } },
    } as const;
    await store.enqueueOutbox(id, [again], t);
    await on(dying()).tick();
    expect(deskNotices).toHaveLength(2);
    t += LEASE;
    expect(await on(open()).tick()).toBe(1);
    expect(deskNotices).toHaveLength(2);
    expect(toPj()).toHaveLength(2);
    const transcript = (await store.get(id))?.transcript ?? [];
    expect(transcript.filter((entry) => entry.direction === 'event').map((entry) => entry.text)).toEqual([
      note,
      copy(settings.flow.transcript.noticeLost, {
        via: settings.flow.advisor.labels.viaDesk,
        text: copy(settings.flow.advisor.noticeLost, {
          id,
          via: settings.flow.advisor.labels.viaSms,
          text: reminderText,
        }),
      }),
    ]);
  });

  it('sends each text once when two workers on two connections to one database tick together', async () => {
    const texts = ['a1', 'a2', 'b1', 'b2', 'c1', 'c2', 'd1', 'd2'];
    for (let i = 0; i < texts.length; i += 2) await conversationWith(texts[i] ?? '', texts[i + 1] ?? '');
    twilio.answer(undefined, { times: texts.length, delayMs: 20 });
    const claimed = [0, 0];
    const counted = (n: 0 | 1): Store => {
      const inner = open();
      return {
        ...inner,
        claimOutbox: async (...args) => {
          const items = await inner.claimOutbox(...args);
          claimed[n] = (claimed[n] ?? 0) + items.length;
          return items;
        },
      };
    };
    const [a, b] = [worker({ on: counted(0) }), worker({ on: counted(1) })];
    // Each round both claim while the other's sends are in flight; who goes first alternates.
    for (let round = 0; round < 4; round += 1) {
      const [first, second] = round % 2 === 0 ? [a, b] : [b, a];
      await Promise.all([first.tick(), second.tick(), first.tick(), second.tick()]);
    }
    expect([...bodies()].sort()).toEqual(texts);
    expect(claimed.every((n) => n > 0)).toBe(true);
    expect((claimed[0] ?? 0) + (claimed[1] ?? 0)).toBe(texts.length);
    // Each client got its texts in order.
    expect(bodies().filter((x) => x?.startsWith('a'))).toEqual(['a1', 'a2']);
    twilio.assertDone();
  });

  it('sends to TWILIO_API_URL and not to api.twilio.com', async () => {
    await conversationWith('hello via stand-in');
    const standIn = twilioStandIn('http://twilio-standin.test');
    standIn.answer();
    await worker({ apiUrl: 'http://twilio-standin.test' }).tick();
    expect(standIn.received.map((form) => form.Body)).toEqual(['hello via stand-in']);
    expect(twilio.received).toEqual([]);
    const sid = standIn.sids.get('hello via stand-in') ?? '';
    expect(await store.recordDelivery(sid, 'sent', null, t)).toMatchObject({ status: 'sent' });
  });

  it("sends a client text by the conversation's channel and marks PJ's relayed message on his desk", async () => {
    expect([addressOfKey('T1:U1'), addressOfKey('T1:C1:1700.01'), addressOfKey('nonsense')]).toEqual([
      { channel: 'U1' },
      { channel: 'C1', threadTs: '1700.01' },
      null,
    ]);
    const handle = createInboundHandler(store, settings);
    const who = { channel: 'slack', participant: 'T1:U1', conversationKey: 'T1:U1', provider: 'slack' } as const;
    const { conversationId: id } = await handle({ ...who, externalId: 'Ev1', text: 'hi', receivedAt: t });
    await createAdvisorActions(store, settings, now).reply(id, 'hello on Slack', 'slack', { channel: 'C9', ts: '9.9' });
    const calls: unknown[] = [];
    const slack = {
      send: async (c: { conversationKey: string }, text: string) => (
        calls.push(['send', c.conversationKey, text]),
        '1.1'
      ),
    };
    const desk = {
      notify: async () => '2.2',
      markDelivered: async (origin: object) => void calls.push(['markDelivered', origin]),
    };
    const { log } = recordLog();
    const senders: OutboxSenders = { clients: { sms: OFF, slack, web: OFF }, advisorPhone: OFF, desk };
    await createOutboxWorker({ store, settings, senders, now, log }).tick();
    expect(calls).toEqual([
      ['send', 'T1:U1', 'hello on Slack'],
      ['markDelivered', { channel: 'C9', ts: '9.9' }],
    ]);
  });

  it('fails a text to PJ when SMS is off, saying which variables to set', async () => {
    const { id } = await conversationWith();
    await store.enqueueOutbox(
      id,
      [
        {
          destination: { kind: 'advisorSms', to: PJ_PHONE },
          payload: { type: 'notice', notice: { kind: 'reminder' } },
        },
      ],
      t,
    );
    const { log, entries } = recordLog();
    const config = { twilioRest: null, handoff: { notifySms: PJ_PHONE, deskChannel: null, idleMs: 1, remindMs: 1 } };
    const senders = createOutboxSenders(config, null, { store, ...settings });
    const w = createOutboxWorker({ store, settings, senders, now, log });
    expect(await w.tick()).toBe(1);
    expect(entries.filter((entry) => entry.level === 'error').map((entry) => entry.fields)).toEqual([
      expect.objectContaining({
        reason: expect.stringContaining('TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_PHONE_NUMBER'),
      }),
    ]);
    t += LEASE * 10;
    expect(await w.tick()).toBe(0);
  });
});
