import { afterEach, describe, expect, it, vi } from 'vitest';
import nock from 'nock';
import { createSqliteConversationStore } from '../../src/adapters/sqlite/sqlite-conversation-store.js';
import { createRetentionSweep } from '../../src/app/sweep-retention.js';
import type { ConversationRecord, TranscriptEntry } from '../../src/core/conversation.js';
import type { OutboxDraft } from '../../src/core/ports.js';
import type { ConversationExport } from '../../src/core/retention.js';
import { fakeDecide, inbound } from '../contract/fake-decide.js';
import { startBotProcess } from '../support/bot-process.js';
import { recordLog } from '../support/logs.js';
import { ADMIN_TOKEN, replyTo, startSmsHarness, tempDatabasePath, type SmsHarness } from '../support/sms-harness.js';
import { startSlackHarness, type SlackHarness } from '../support/slack-harness.js';

const ALICE = '+14155550101';
const BOB = '+14155550102';
const DAY = 24 * 60 * 60_000;
const DESK = 'C0DESK';
/** A text to the client that waits in the outbox: SMS sending is off in these harnesses. */
const queued: OutboxDraft = {
  destination: { kind: 'client' },
  payload: { type: 'text', text: 'queued', author: 'advisor' },
};

const call = (h: SmsHarness, method: 'GET' | 'DELETE', path: string, token: string | null = ADMIN_TOKEN) =>
  fetch(`${h.baseUrl}/admin/api${path}`, {
    method,
    headers: token === null ? {} : { Authorization: `Bearer ${token}` },
  });

async function conversationOf(h: SmsHarness, participant: string): Promise<ConversationRecord> {
  const [found] = await h.composed.store.list({ participant });
  if (!found) throw new Error(`no conversation for ${participant}`);
  return found;
}

/** The log lines (parsed) whose message matches `pattern`. */
function logLines(h: SmsHarness, pattern: RegExp): Array<Record<string, unknown> & { msg: string }> {
  return h.logs
    .map((line) => JSON.parse(line) as Record<string, unknown> & { msg: string })
    .filter((line) => pattern.test(line.msg));
}

let harness: SmsHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  nock.cleanAll();
});

describe('GET /admin/api/conversations/:id/export', () => {
  it('hands over the record, the transcript and the outbox rows, behind the admin token, never cached', async () => {
    const h = (harness = await startSmsHarness());
    await replyTo(h, ALICE, 'we run payroll for restaurants');
    await replyTo(h, ALICE, 'can I talk to a real person?');
    const { id } = await conversationOf(h, ALICE);
    await h.composed.store.enqueueOutbox(id, [queued], Date.now());

    expect((await call(h, 'GET', `/conversations/${id}/export`, null)).status).toBe(401);
    expect((await call(h, 'GET', `/conversations/${id}/export`, 'wrong-token-wrong-token')).status).toBe(401);

    const res = await call(h, 'GET', `/conversations/${id}/export`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as ConversationExport & { transcript: TranscriptEntry[] };
    expect(body.conversation).toMatchObject({ id, channel: 'sms', participant: ALICE, status: 'waiting' });
    expect(body.transcript.filter((entry) => entry.direction === 'in').map((entry) => entry.text)).toEqual([
      'we run payroll for restaurants',
      'can I talk to a real person?',
    ]);
    expect(body.outbox).toEqual([expect.objectContaining({ ...queued, conversationId: id, status: 'pending' })]);
    expect(body.deskThread).toBeNull();

    const [audit] = logLines(h, /^exported conversation/);
    expect(audit).toMatchObject({ conversationId: id, msg: `exported conversation ${id} for the client` });
    expect(JSON.stringify(audit)).not.toContain(ALICE.slice(2));
  });

  it.each(['987654', '01', '1e0', '0x1', '1.0', '-1', 'abc'])('answers 404 for the id %s', async (raw) => {
    const h = (harness = await startSmsHarness());
    await replyTo(h, ALICE, 'hi');
    const res = await call(h, 'GET', `/conversations/${raw}/export`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'not_found' });
  });
});

describe('DELETE /admin/api/conversations/:id', () => {
  it('erases the conversation, its transcript, dedupe rows and queued messages, and logs it by id only', async () => {
    const h = (harness = await startSmsHarness());
    const sid = 'SM0123456789abcdef0123456789abcdef';
    await replyTo(h, ALICE, 'we run payroll for restaurants', sid);
    await replyTo(h, BOB, 'hi');
    const { id } = await conversationOf(h, ALICE);
    // A message to the client that was queued and never sent: SMS sending is off in this harness.
    await h.composed.store.enqueueOutbox(id, [queued], Date.now());

    expect((await call(h, 'DELETE', `/conversations/${id}`, null)).status).toBe(401);
    expect(await h.composed.store.get(id)).not.toBeNull();

    const res = await call(h, 'DELETE', `/conversations/${id}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      erased: id,
      removed: { conversations: 1, messages: 2, processedInbound: 1, advisorMessages: 0, outbox: 1, deskThreads: 0 },
      desk: { deleted: 0, failed: 0 },
      optOutKept: false,
    });
    expect((await call(h, 'GET', `/conversations/${id}`)).status).toBe(404);
    expect((await call(h, 'GET', `/conversations/${id}/export`)).status).toBe(404);
    expect((await call(h, 'DELETE', `/conversations/${id}`)).status).toBe(404);
    expect(await h.composed.store.claimOutbox(Date.now() + DAY, 60_000, 100)).toEqual([]);
    expect((await h.composed.store.list({})).map((c) => c.participant)).toEqual([BOB]);

    const [audit] = logLines(h, /^erased conversation/);
    expect(audit).toMatchObject({ conversationId: id, msg: `erased conversation ${id} at the client's request` });
    expect(JSON.stringify(audit)).not.toMatch(/4155550101|\+1415\*\*\*0101/);

    // Twilio retrying the old message id is no longer a duplicate: it is a new first text.
    const [again] = await replyTo(h, ALICE, 'we run payroll for restaurants', sid);
    expect(again).toMatch(/who is asking/i);
  });

  it('keeps an opted-out number after erasure: later texts get nothing until START, and the erasure says so', async () => {
    const h = (harness = await startSmsHarness());
    await replyTo(h, ALICE, 'hi');
    expect(await replyTo(h, ALICE, 'STOP')).toEqual([]);
    const { id } = await conversationOf(h, ALICE);

    const res = await call(h, 'DELETE', `/conversations/${id}`);
    expect(await res.json()).toMatchObject({ erased: id, optOutKept: true });
    expect(await h.composed.store.list({})).toEqual([]);
    expect(logLines(h, /^erased conversation/)[0]?.msg).toMatch(/opt-out is kept/);

    // Nothing about her is left but the number's opt-out: a new text is not answered and queues nothing.
    expect(await replyTo(h, ALICE, 'hello? what do I need')).toEqual([]);
    expect(await replyTo(h, ALICE, 'I need a SOC 2 report')).toEqual([]);
    const fresh = await conversationOf(h, ALICE);
    expect(fresh).toMatchObject({ status: 'opted_out' });
    expect(await h.composed.store.claimOutbox(Date.now() + DAY, 60_000, 100)).toEqual([]);
    const detail = await h.composed.store.get(fresh.id);
    expect(detail?.transcript.map((entry) => entry.direction)).toEqual(['in', 'event', 'in']);

    // START (Twilio confirms it) opens the conversation again, and the number is no longer kept.
    expect(await replyTo(h, ALICE, 'START')).toEqual([]);
    expect((await h.composed.store.get(fresh.id))?.status).toBe('bot');
    expect(await h.composed.store.isOptedOut('sms', ALICE)).toBe(false);
    const [question] = await replyTo(h, ALICE, 'hi');
    expect(question).toMatch(/what does your product do/i);
  });

  it('answers START itself when the bot owns the keywords, after the opted-out conversation was removed', async () => {
    const h = (harness = await startSmsHarness({ SMS_KEYWORD_REPLIES: 'bot' }));
    await replyTo(h, ALICE, 'hi');
    const [confirm] = await replyTo(h, ALICE, 'STOP');
    expect(confirm).toBeDefined();
    await call(h, 'DELETE', `/conversations/${(await conversationOf(h, ALICE)).id}`);

    expect(await replyTo(h, ALICE, 'hi')).toEqual([]);
    const [resumed] = await replyTo(h, ALICE, 'START');
    expect(resumed).toContain(h.composed.settings.flow.optInConfirm);
    expect(resumed).toMatch(/what does your product do/i);
  });

  it("deletes the bot's messages in PJ's Slack desk thread, best effort, and says what it could not", async () => {
    const h = (harness = await startSlackHarness({ SLACK_HANDOFF_CHANNEL: DESK, SLACK_ADVISOR_USER_IDS: 'U0PJ' }));
    const slack = h as SlackHarness;
    await replyTo(h, ALICE, 'can I talk to a real person?');
    await replyTo(h, ALICE, 'hello?');
    await h.composed.background.runOnce();
    await h.composed.background.runOnce();
    const posts = await slack.waitFor('chat.postMessage', 2);
    const thread = await h.composed.store.getDeskThread((await conversationOf(h, ALICE)).id);
    expect(thread).toMatchObject({ channel: DESK });

    // Slack refuses one of them; the other is deleted.
    nock.cleanAll();
    let deletes = 0;
    const refusing = slackApiAnswering((method) =>
      method === 'chat.delete' && ++deletes === 2 ? { ok: false, error: 'cant_delete_message' } : { ok: true },
    );
    const { id } = await conversationOf(h, ALICE);
    const res = await call(h, 'DELETE', `/conversations/${id}`);
    expect(await res.json()).toMatchObject({ erased: id, desk: { deleted: 1, failed: 1 }, optOutKept: false });
    expect(refusing.calls.filter((c) => c.method === 'chat.delete').map((c) => c.body)).toEqual(
      posts.map((p, i) => ({ channel: DESK, ts: i === 0 ? thread?.ts : expect.any(String) })),
    );
    expect(logLines(h, /could not delete a desk message/)).toHaveLength(1);
    expect(await h.composed.store.findByDeskThread(DESK, thread?.ts ?? '')).toBeNull();
  });
});

/** Slack's Web API answering each call with `answer(method)`, recorded. */
function slackApiAnswering(answer: (method: string) => Record<string, unknown>) {
  const calls: Array<{ method: string; body: Record<string, unknown> }> = [];
  nock('https://slack.com')
    .persist()
    .post(/\/api\/.*/)
    .reply((uri, body) => {
      const method = uri.replace('/api/', '');
      const fields =
        typeof body === 'string' ? Object.fromEntries(new URLSearchParams(body)) : (body as Record<string, unknown>);
      calls.push({ method, body: fields });
      return [200, answer(method)];
    });
  return { calls };
}

describe('the retention sweep', () => {
  it('removes old closed and opted-out conversations through the real store, keeping opt-outs, and logs the counts', async () => {
    const h = (harness = await startSmsHarness());
    await replyTo(h, ALICE, 'hi');
    await replyTo(h, ALICE, 'STOP');
    await replyTo(h, BOB, 'hi');
    const { log, entries } = recordLog();
    const sweep = createRetentionSweep({
      store: h.composed.store,
      retentionDays: 365,
      now: () => Date.now() + 366 * DAY,
      log,
    });

    const removed = await sweep();

    expect(removed).toMatchObject({ conversations: 1, processedInbound: 3 });
    expect((await h.composed.store.list({})).map((c) => c.participant)).toEqual([BOB]);
    expect(await h.composed.store.isOptedOut('sms', ALICE)).toBe(true);
    expect(entries).toEqual([
      {
        level: 'info',
        fields: { removed, retentionDays: 365, logRetentionDays: 30 },
        msg: expect.stringMatching(/^retention sweep: removed 1 conversation/),
      },
    ]);
    expect(await replyTo(h, ALICE, 'hi again')).toEqual([]);
  });

  it('sweeps again every day once the background starts', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const h = (harness = await startSmsHarness());
      h.composed.background.start(2 * DAY);
      await vi.waitFor(() => expect(logLines(h, /^retention sweep/)).toHaveLength(1));
      vi.advanceTimersByTime(DAY - 1);
      expect(logLines(h, /^retention sweep/)).toHaveLength(1);
      vi.advanceTimersByTime(1);
      await vi.waitFor(() => expect(logLines(h, /^retention sweep/)).toHaveLength(2));
      await h.composed.background.stop();
      vi.advanceTimersByTime(3 * DAY);
      expect(logLines(h, /^retention sweep/)).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps no process alive with its daily timer: only the outbox loop does', async () => {
    const h = (harness = await startSmsHarness());
    const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    const before = timers();
    h.composed.background.start(60_000);
    expect(timers() - before).toBe(1);
    await h.composed.background.stop();
  });

  it('runs at start-up in the real process and logs what it removed', async () => {
    const path = tempDatabasePath();
    const store = createSqliteConversationStore(path);
    const twoYearsAgo = Date.now() - 2 * 365 * DAY;
    await store.receive(
      inbound('old', { receivedAt: twoYearsAgo }),
      fakeDecide({ summary: { status: 'closed' } }).decide,
    );
    await store.receive(
      inbound('new', { participant: BOB, receivedAt: Date.now() }),
      fakeDecide({ summary: { status: 'closed' } }).decide,
    );
    await store.close();

    const bot = await startBotProcess({ DATABASE_URL: `file:${path}`, RETENTION_DAYS: '365' });
    try {
      const deadline = Date.now() + 10_000;
      while (!/retention sweep/.test(bot.output()) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 25));
      const line = bot
        .output()
        .split('\n')
        .find((l) => l.includes('retention sweep'));
      expect(JSON.parse(line ?? '{}')).toMatchObject({
        removed: { conversations: 1, messages: 2, processedInbound: 1 },
        retentionDays: 365,
      });
    } finally {
      bot.child.kill('SIGTERM');
      await bot.exited;
    }
    const reopened = createSqliteConversationStore(path);
    expect((await reopened.list({})).map((c) => c.participant)).toEqual([BOB]);
    await reopened.close();
  });
});
