import { afterEach, describe, expect, it } from 'vitest';
import { copy, flow } from '../support/copy.js';
import { tempDatabasePath } from '../support/sms-harness.js';
import {
  readStream,
  startWebHarness,
  type StreamEvent,
  type WebHarness,
  type WebLineJson,
} from '../support/web-harness.js';

const lines = (events: StreamEvent[]) => events.map((e) => JSON.parse(e.data) as WebLineJson);
const SECRET = 'a-web-session-secret-of-at-least-32-characters';

describe('the web chat event stream', () => {
  const harnesses: WebHarness[] = [];
  const start = async (...args: Parameters<typeof startWebHarness>) => {
    const h = await startWebHarness(...args);
    harnesses.push(h);
    return h;
  };
  afterEach(async () => {
    for (const h of harnesses.splice(0)) await h.close();
  });

  async function flagged(h: WebHarness): Promise<{ session: string; id: number }> {
    const { session } = await h.newSession();
    await h.say(session, { text: 'can I talk to a real person?' });
    const [conversation] = await h.composed.store.list({ channel: 'web' });
    return { session, id: conversation?.id ?? 0 };
  }

  it("streams the history after ?after=, then PJ's reply the moment the outbox stores it", async () => {
    const h = await start();
    const { session, id } = await flagged(h);
    const events = await readStream(`${h.baseUrl}/web/events?session=${session}&after=1`, (e) => e.length >= 3, {
      onOpen: () => h.advisorReply(id, 'Hi, this is PJ.'),
    });
    expect(lines(events).map((l) => [l.from, l.text])).toEqual([
      ['bot', copy(flow.handoffHuman)],
      ['bot', copy(flow.web.contactOffer)],
      ['advisor', 'Hi, this is PJ.'],
    ]);
    expect(events.map((e) => Number(e.id))).toEqual(lines(events).map((l) => l.id));
  });

  it('resumes with Last-Event-ID: nothing lost while disconnected, nothing repeated', async () => {
    const h = await start();
    const { session, id } = await flagged(h);
    const first = await readStream(`${h.baseUrl}/web/events?session=${session}`, (e) => e.length >= 3);
    const lastId = first.at(-1)?.id ?? '';
    // The connection is gone; PJ writes twice meanwhile.
    await h.advisorReply(id, 'first, while you were away');
    await h.advisorReply(id, 'second, while you were away');
    const resumed = await readStream(`${h.baseUrl}/web/events?session=${session}&after=0`, (e) => e.length >= 2, {
      headers: { 'Last-Event-ID': lastId },
    });
    expect(lines(resumed).map((l) => l.text)).toEqual(['first, while you were away', 'second, while you were away']);
    const all = [...first, ...resumed].map((e) => e.id);
    expect(new Set(all).size).toBe(all.length);
  });

  it('streams from any instance: a line stored by one is streamed by another on the same database', async () => {
    const databasePath = tempDatabasePath();
    const one = await start({ DATABASE_PATH: databasePath }, { pollMs: 50 });
    const two = await start({ DATABASE_PATH: databasePath }, { pollMs: 50 });
    const { session, id } = await flagged(one);
    // The same generated secret for both: a session from one is good on the other.
    expect((await two.history(session)).messages).toHaveLength(3);
    const events = await readStream(`${two.baseUrl}/web/events?session=${session}&after=3`, (e) => e.length >= 1, {
      onOpen: () => one.advisorReply(id, 'from the other instance'),
    });
    expect(lines(events).map((l) => l.text)).toEqual(['from the other instance']);
  });

  it("refuses a stream without a valid session, and shows only the session's own lines", async () => {
    const h = await start();
    expect((await fetch(`${h.baseUrl}/web/events`)).status).toBe(401);
    expect((await fetch(`${h.baseUrl}/web/events?session=forged.session`)).status).toBe(401);
    const alice = await flagged(h);
    const { session: bob } = await h.newSession();
    await h.say(bob, { text: 'we do payroll' });
    const events = await readStream(`${h.baseUrl}/web/events?session=${bob}`, (e) => e.length >= 2, {
      timeoutMs: 1000,
    });
    expect(lines(events).map((l) => l.text)).toEqual(['we do payroll', expect.any(String)]);
    expect(events.every((e) => Number(e.id) > 0)).toBe(true);
    expect(alice.session).not.toBe(bob);
  });

  it('closes every open stream on shutdown (closeStreams), so the server can stop', async () => {
    const h = await start();
    const { session } = await h.newSession();
    const reading = readStream(`${h.baseUrl}/web/events?session=${session}`, () => false, { timeoutMs: 5000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    h.composed.web.closeStreams();
    await reading;
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('the web session secret', () => {
  it('is generated once and kept in the database when WEB_SESSION_SECRET is unset, and never logged', async () => {
    const databasePath = tempDatabasePath();
    const first = await startWebHarness({ DATABASE_PATH: databasePath });
    const { session } = await first.newSession();
    await first.close();
    const again = await startWebHarness({ DATABASE_PATH: databasePath });
    expect((await again.history(session)).messages).toEqual([]);
    const other = await startWebHarness();
    expect(
      (await fetch(`${other.baseUrl}/web/messages`, { headers: { Authorization: `Bearer ${session}` } })).status,
    ).toBe(401);
    for (const h of [again, other]) await h.close();
  });

  it("is WEB_SESSION_SECRET when set: servers sharing it accept each other's sessions", async () => {
    const one = await startWebHarness({ WEB_SESSION_SECRET: SECRET });
    const two = await startWebHarness({ WEB_SESSION_SECRET: SECRET });
    const { session } = await one.newSession();
    expect((await two.history(session)).messages).toEqual([]);
    expect([...one.logs, ...two.logs].join('')).not.toContain(SECRET);
    for (const h of [one, two]) await h.close();
  });
});
