import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAdvisorActions } from '../../src/app/advisor-actions.js';
import { reportDeliveryProblem } from '../../src/app/carrier-opt-out.js';
import { createInboundHandler } from '../../src/app/handle-inbound.js';
import { createOutboxWorker } from '../../src/app/outbox-worker.js';
import { createSqliteConversationStore } from '../../src/adapters/sqlite/sqlite-conversation-store.js';
import { createTwilioStatusRouter } from '../../src/adapters/twilio/twilio-status-routes.js';
import { createOutboxSenders } from '../../src/compose.js';
import type { Store, OutboxItem } from '../../src/core/ports.js';
import { signTwilio } from '../support/sign-twilio.js';
import { copy } from '../support/copy.js';
import { captureLogs, recordLog } from '../support/logs.js';
import { botSettings } from '../support/settings.js';
import { ACCOUNT_SID, BOT_FROM, newSid, REST_AUTH_TOKEN, twilioStandIn } from '../support/twilio-rest.js';

const AUTH_TOKEN = 'test-auth-token-0123456789abcdef';
const PUBLIC_BASE_URL = 'https://bot.example.test';
const STATUS_URL = `${PUBLIC_BASE_URL}/twilio/status`;
const PJ_PHONE = '+18585550199';
const settings = botSettings({ handoff: { notifySms: PJ_PHONE } });

const t = 1_800_000_000_000;
const now = () => t;
let path: string;
let store: Store;
let server: Server;
let baseUrl: string;
let logs: string[];

beforeEach(async () => {
  path = join(mkdtempSync(join(tmpdir(), 'soc-status-')), 'test.db');
  store = createSqliteConversationStore(path);
  const { logger, lines } = captureLogs();
  logs = lines;
  const app = express();
  app.use(
    '/twilio',
    createTwilioStatusRouter({
      authToken: AUTH_TOKEN,
      publicBaseUrl: PUBLIC_BASE_URL,
      store,
      now,
      logger,
      onDeliveryProblem: (item, outcome) => reportDeliveryProblem(store, settings, item, outcome, now()),
    }),
  );
  server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await store.close();
});

/** A client text PJ sent through the outbox; resolves to its conversation and Twilio SID. */
async function sentText(client = '+14155550142'): Promise<{ id: number; sid: string }> {
  const handle = createInboundHandler(store, settings);
  const message = { channel: 'sms', participant: client, conversationKey: client, provider: 'twilio' } as const;
  const { conversationId: id } = await handle({ ...message, externalId: newSid(), text: 'hi', receivedAt: t });
  expect((await createAdvisorActions(store, settings, now).reply(id, 'hello from PJ', 'console')).ok).toBe(true);
  const twilio = twilioStandIn();
  twilio.answer();
  const twilioRest = { accountSid: ACCOUNT_SID, authToken: REST_AUTH_TOKEN, from: BOT_FROM };
  const handoff = { notifySms: null, deskChannel: null, idleMs: 1, remindMs: 1 };
  const senders = createOutboxSenders({ twilioRest, handoff }, null, { store, ...settings });
  const quiet = recordLog().log;
  await createOutboxWorker({ store, settings, senders, now, log: quiet }).tick();
  return { id, sid: twilio.sids.get('hello from PJ') ?? '' };
}

function postStatus(params: Record<string, string>, signature = signTwilio(AUTH_TOKEN, STATUS_URL, params)) {
  return fetch(`${baseUrl}/twilio/status`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature },
    body: new URLSearchParams(params).toString(),
  });
}

const status = (sid: string, messageStatus: string, errorCode?: string) => ({
  MessageSid: sid,
  MessageStatus: messageStatus,
  AccountSid: ACCOUNT_SID,
  ...(errorCode !== undefined && { ErrorCode: errorCode }),
});

function deliveryStatusOf(sid: string): unknown {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT delivery_status FROM outbox WHERE provider_id = ?').pluck().get(sid);
  } finally {
    db.close();
  }
}

/** What is queued for PJ's phone (claimed here, so each call sees only what is new). */
async function queuedForPj(): Promise<OutboxItem[]> {
  const items = await store.claimOutbox(t, 60_000, 50);
  return items.filter((item) => item.destination.kind === 'advisorSms' && item.destination.to === PJ_PHONE);
}

const noticeOf = (item: OutboxItem | undefined) => (item?.payload.type === 'notice' ? item.payload.notice : null);

describe('POST /twilio/status', () => {
  it('records a signed delivery status for the text the outbox sent', async () => {
    const { sid } = await sentText();
    const res = await postStatus(status(sid, 'delivered'));
    expect(res.status).toBe(204);
    expect(deliveryStatusOf(sid)).toBe('delivered');
    expect(await queuedForPj()).toEqual([]);
  });

  it('refuses a wrong or missing signature with 403 and says what to check', async () => {
    const { sid } = await sentText();
    expect((await postStatus(status(sid, 'delivered'), 'bm90IGEgc2lnbmF0dXJl')).status).toBe(403);
    expect(
      (await postStatus(status(sid, 'delivered'), signTwilio('wrong-token', STATUS_URL, status(sid, 'delivered'))))
        .status,
    ).toBe(403);
    expect(deliveryStatusOf(sid)).toBeNull();
    expect(logs.join('')).toContain('check TWILIO_AUTH_TOKEN and that PUBLIC_BASE_URL');
  });

  it('refuses a signed body that is not a message status with 400 and the reason', async () => {
    const res = await postStatus({ MessageSid: 'not-a-sid', AccountSid: ACCOUNT_SID });
    expect(res.status).toBe(400);
    const reason = await res.text();
    expect(reason).toContain('MessageSid: must be a Twilio message SID');
    expect(reason).toContain('MessageStatus');
  });

  it('answers 200 for a message the outbox did not send', async () => {
    expect((await postStatus(status(newSid(), 'delivered'))).status).toBe(200);
    expect(logs.join('')).toContain('outbox did not send');
  });

  it('tells PJ once when a text to the client was undelivered', async () => {
    const { id, sid } = await sentText();
    expect((await postStatus(status(sid, 'undelivered', '30003'))).status).toBe(204);
    expect((await postStatus(status(sid, 'undelivered', '30003'))).status).toBe(204);
    const queued = await queuedForPj();
    expect(queued.map(noticeOf)).toEqual([
      { kind: 'deliveryProblem', problem: 'failed', text: 'hello from PJ', detail: '30003' },
    ]);
    expect((await store.get(id))?.status).toBe('human');
  });

  it('opts the client out on 21610 and tells PJ', async () => {
    const { id, sid } = await sentText();
    expect((await postStatus(status(sid, 'failed', '21610'))).status).toBe(204);
    const detail = await store.get(id);
    expect(detail?.status).toBe('opted_out');
    expect(detail?.transcript.map((e) => e.text)).toContain(
      copy(settings.flow.transcript.carrierOptedOut, { code: '21610' }),
    );
    expect((await queuedForPj()).map(noticeOf)).toEqual([
      { kind: 'deliveryProblem', problem: 'optedOut', text: 'hello from PJ', detail: '21610' },
    ]);
  });
});
