import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAdminRouter } from '../../src/adapters/http/admin-routes.js';
import { createSqliteConversationStore } from '../../src/adapters/sqlite/sqlite-conversation-store.js';
import type { ConversationDetail, ConversationRecord } from '../../src/core/conversation.js';
import type { Store, OutboxItem } from '../../src/core/ports.js';
import { ADVISOR, by, copy, flow } from '../support/copy.js';
import { drainOutbox } from '../support/drain-outbox.js';
import { captureLogs } from '../support/logs.js';
import { ADMIN_TOKEN, replyTo, startSmsHarness, type SmsHarness } from '../support/sms-harness.js';

const ALICE = '+14155550101';
const BOB = '+14155550102';

/** POST to the admin API as the console does: bearer token, JSON body. */
function poster(baseUrl: string) {
  return (path: string, body?: string, headers: Record<string, string> = {}) =>
    fetch(`${baseUrl}/admin/api${path}`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(body !== undefined && { 'Content-Type': 'application/json' }),
        ...headers,
      },
      ...(body !== undefined && { body }),
    });
}

const clientTexts = (items: OutboxItem[]) =>
  items.flatMap((o) =>
    o.destination.kind === 'client' && o.payload.type === 'text'
      ? [{ text: o.payload.text, author: o.payload.author }]
      : [],
  );

interface ActionBody {
  conversation: ConversationRecord;
  changed: boolean;
}

describe('admin API actions', () => {
  let h: SmsHarness;
  let store: Store;
  let post: ReturnType<typeof poster>;
  let bob: number;

  beforeEach(async () => {
    h = await startSmsHarness();
    store = h.composed.store;
    post = poster(h.baseUrl);
    await replyTo(h, ALICE, 'we run payroll');
    await replyTo(h, BOB, 'can I talk to a real person?');
    const waiting = await store.list({ status: 'waiting' });
    expect(waiting.map((c) => c.participant)).toEqual([BOB]);
    bob = waiting[0]?.id ?? 0;
    await drainOutbox(store);
  });
  afterEach(async () => {
    await h.close();
  });

  const detail = async (id: number) => (await store.get(id)) as ConversationDetail;

  it('refuses every action without the bearer token with 401', async () => {
    for (const action of ['takeover', 'messages', 'release', 'close']) {
      const res = await fetch(`${h.baseUrl}/admin/api/conversations/${bob}/${action}`, { method: 'POST' });
      expect(res.status).toBe(401);
      const wrong = await post(`/conversations/${bob}/${action}`, '{"text":"hi"}', {
        Authorization: 'Bearer not-the-token-at-all',
      });
      expect(wrong.status).toBe(401);
    }
    expect((await detail(bob)).status).toBe('waiting');
    expect(clientTexts(await drainOutbox(store))).toEqual([]);
  });

  it('takes over once, even when asked twice at the same time', async () => {
    const [a, b] = await Promise.all([post(`/conversations/${bob}/takeover`), post(`/conversations/${bob}/takeover`)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const bodies = [(await a.json()) as ActionBody, (await b.json()) as ActionBody];
    expect(bodies.map((x) => x.changed).sort()).toEqual([false, true]);
    expect(bodies.every((x) => x.conversation.status === 'human' && x.conversation.id === bob)).toBe(true);
    const events = (await detail(bob)).transcript.filter((t) => t.direction === 'event');
    expect(events.map((e) => e.text)).toEqual([copy(flow.transcript.tookOver, { by: by('console') })]);
    // Taking over sends the client nothing; PJ's phone is not told what he did himself.
    expect(await drainOutbox(store)).toEqual([]);
    const again = await post(`/conversations/${bob}/takeover`);
    expect(((await again.json()) as ActionBody).changed).toBe(false);
  });

  it("sends PJ's message to the client, taking over first", async () => {
    const res = await post(
      `/conversations/${bob}/messages`,
      JSON.stringify({ text: '  Hi Bob, PJ here. Free at 3pm?  ' }),
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as ActionBody).conversation.status).toBe('human');
    const d = await detail(bob);
    expect(d.status).toBe('human');
    expect(d.transcript.slice(-2)).toMatchObject([
      { direction: 'event', author: 'advisor', text: copy(flow.transcript.tookOver, { by: by('console') }) },
      { direction: 'out', author: 'advisor', text: 'Hi Bob, PJ here. Free at 3pm?' },
    ]);
    const sent = await drainOutbox(store);
    expect(clientTexts(sent)).toEqual([{ text: 'Hi Bob, PJ here. Free at 3pm?', author: 'advisor' }]);
    expect(sent[0]?.conversationId).toBe(bob);
    expect(h.logs.join('')).toMatch(/"action":"message".*advisor action from the console/);
  });

  it('hands back to the bot, which resumes with one line, then closes', async () => {
    await post(`/conversations/${bob}/takeover`);
    const res = await post(`/conversations/${bob}/release`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as ActionBody).conversation.status).toBe('bot');
    const d = await detail(bob);
    expect(d.transcript.slice(-2)).toMatchObject([
      { direction: 'event', author: 'advisor', text: copy(flow.transcript.handedBack, { by: by('console') }) },
      { direction: 'out', author: 'bot' },
    ]);
    const resumed = clientTexts(await drainOutbox(store));
    expect(resumed).toHaveLength(1);
    expect(resumed[0]).toMatchObject({ author: 'bot' });
    expect(resumed[0]?.text.startsWith(copy(flow.resumed))).toBe(true);

    const again = await post(`/conversations/${bob}/release`);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { message: string }).message).toBe(
      copy(flow.advisor.refused.not_with_advisor, { id: bob }),
    );

    const closed = await post(`/conversations/${bob}/close`);
    expect(closed.status).toBe(200);
    expect(((await closed.json()) as ActionBody).conversation.status).toBe('closed');
    expect((await detail(bob)).transcript.at(-1)).toMatchObject({
      direction: 'event',
      text: copy(flow.transcript.closed, { by: by('console') }),
    });
    const twice = await post(`/conversations/${bob}/close`);
    expect(twice.status).toBe(200);
    expect(((await twice.json()) as ActionBody).changed).toBe(false);
    for (const action of ['takeover', 'release']) {
      const late = await post(`/conversations/${bob}/${action}`);
      expect(late.status).toBe(409);
      expect((await late.json()) as { error: string; message: string }).toEqual({
        error: 'closed',
        message: copy(flow.advisor.refused.closed, { id: bob }),
      });
    }
    const late = await post(`/conversations/${bob}/messages`, '{"text":"still there?"}');
    expect(late.status).toBe(409);
  });

  it('answers 404 for an unknown conversation and for an id that is not a plain decimal number', async () => {
    for (const action of ['takeover', 'release', 'close']) {
      const res = await post(`/conversations/99999/${action}`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { message: string }).message).toBe(
        copy(flow.advisor.refused.not_found, { id: 99999 }),
      );
    }
    expect((await post('/conversations/99999/messages', '{"text":"hi"}')).status).toBe(404);
    // Only a plain decimal id names a conversation: "0x1" or "1e0" is not #1, and says so as any unknown id.
    for (const odd of ['abc', '0x1', '1e0', '01', '-1', '1.0', '99999999999999999999']) {
      const bad = await post(`/conversations/${odd}/takeover`);
      expect(bad.status).toBe(404);
      expect(await bad.json()).toEqual({ error: 'not_found', message: `no conversation with id ${odd}` });
    }
    expect(h.logs.join('')).toContain(`refused admin action: ${copy(flow.advisor.refused.not_found, { id: 99999 })}`);
  });

  it('refuses with 409 when the client opted out, and sends nothing', async () => {
    await replyTo(h, BOB, 'STOP');
    expect((await detail(bob)).status).toBe('opted_out');
    await drainOutbox(store);
    const res = await post(`/conversations/${bob}/messages`, '{"text":"are you there?"}');
    expect(res.status).toBe(409);
    const optedOut = copy(flow.advisor.refused.opted_out, { id: bob });
    expect(await res.json()).toEqual({ error: 'opted_out', message: optedOut });
    expect((await post(`/conversations/${bob}/takeover`)).status).toBe(409);
    expect(clientTexts(await drainOutbox(store))).toEqual([]);
    expect(h.logs.join('')).toContain(`refused admin action: ${optedOut}`);
  });

  it.each<[string, string | undefined, Record<string, string>, number, RegExp]>([
    ['an empty text', '{"text":""}', {}, 400, /empty/],
    ['a blank text', '{"text":"   \\n "}', {}, 400, /empty/],
    ['no text', '{"message":"hi"}', {}, 400, /missing "text"/],
    ['a number', '{"text":42}', {}, 400, /must be a string, not number/],
    ['null', '{"text":null}', {}, 400, /must be a string, not null/],
    ['an array', '["hi"]', {}, 400, /JSON object/],
    ['broken JSON', '{"text": "hi"', {}, 400, /not valid JSON/],
    ['a form body', 'text=hi', { 'Content-Type': 'application/x-www-form-urlencoded' }, 415, /application\/json/],
    ['no body at all', undefined, {}, 415, /application\/json/],
    ['a text too long for SMS', JSON.stringify({ text: 'x'.repeat(1601) }), {}, 400, /1601 characters/],
  ])('rejects %s with a reason', async (_name, body, headers, status, reason) => {
    const res = await post(`/conversations/${bob}/messages`, body, headers);
    expect(res.status).toBe(status);
    const answer = (await res.json()) as { error: string; message: string };
    expect(answer.message).toMatch(reason);
    expect(h.logs.join('')).toMatch(/rejected admin (request|action)/);
    expect((await detail(bob)).status).toBe('waiting');
    expect(clientTexts(await drainOutbox(store))).toEqual([]);
  });
});

describe('admin API actions not wired', () => {
  it('answer 503 and log what to fix', async () => {
    const { logger, lines: logs } = captureLogs();
    const store = createSqliteConversationStore(':memory:');
    const app = express().use(
      '/admin/api',
      createAdminRouter({ token: ADMIN_TOKEN, store, logger, flow, advisor: ADVISOR }),
    );
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const res = await poster(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)(
        '/conversations/1/takeover',
      );
      expect(res.status).toBe(503);
      expect(logs.join('')).toMatch(/pass actions in compose/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    }
  });
});
