import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flowIn } from '../../src/core/localize-flow.js';
import { ADVISOR, copy, flow } from '../support/copy.js';
import { ADMIN_TOKEN } from '../support/sms-harness.js';
import { messageId, startWebHarness, type WebHarness, type WebLineJson } from '../support/web-harness.js';
import { shippedFlows } from '../support/flows.js';

const texts = (lines: WebLineJson[]) => lines.map((l) => l.text);
const question = (q: { question: string; freeText?: string }) => [q.question, q.freeText].filter(Boolean).join(' ');

describe('the web chat API', () => {
  let h: WebHarness;

  beforeEach(async () => {
    h = await startWebHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('gives a signed session with the greeting, and refuses a missing or altered one with 401', async () => {
    const res = await fetch(`${h.baseUrl}/web/sessions`, { method: 'POST' });
    expect(res.status).toBe(201);
    const { session, greeting } = (await res.json()) as { session: string; greeting: WebLineJson[] };
    expect(session).toMatch(/^[\w-]{22}\.[\w-]{22}$/);
    expect(greeting).toEqual([
      {
        text: `${copy(flow.greeting)} ${question(flow.askProduct)}`,
        choices: flow.askProduct.choices.map((label, i) => ({ label, value: `product:${i + 1}` })),
      },
    ]);
    expect((await h.history(session)).messages).toEqual([]);

    const altered = `${session.slice(0, -2)}${session.endsWith('AA') ? 'AB' : 'AA'}`;
    for (const bad of [altered, 'not-a-session', '']) {
      const refused = await h.post(bad, { id: messageId(), text: 'hi' });
      expect(refused.status, bad).toBe(401);
      expect(await refused.json()).toEqual({
        error: 'bad_session',
        message: expect.stringContaining('POST /web/sessions'),
      });
    }
    expect((await fetch(`${h.baseUrl}/web/messages`)).status).toBe(401);
    expect(h.logs.join('')).not.toContain(session);
  });

  it("serves the demo page, the widget with the words of flows/main.yaml, and the page's stylesheet", async () => {
    const page = await fetch(`${h.baseUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const html = await page.text();
    expect(html).toContain('<script src="/widget.js" async></script>');
    expect(html).toContain('href="sms:+18584618054"');
    expect(html).not.toMatch(/\{\{\w+\}\}/);
    const widget = await fetch(`${h.baseUrl}/widget.js`);
    expect(widget.headers.get('content-type')).toMatch(/javascript/);
    expect(widget.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const script = await widget.text();
    expect(script).not.toContain("'__SOC_ADVISOR_CONFIG__'");
    expect(script).toContain(JSON.stringify(copy(flow.web.launcher)).slice(1, -1));
    expect((await fetch(`${h.baseUrl}/demo.css`)).headers.get('content-type')).toMatch(/text\/css/);
  });

  it('reaches a verdict with typed answers: a card with Text and Call links, from the same says as SMS', async () => {
    const { session } = await h.newSession();
    const first = await h.say(session, { text: 'we run payroll for small businesses' });
    expect(texts(first)).toEqual([question(flow.askAsker)]);
    expect(first[0]?.choices?.map((c) => c.value)).toEqual(['asker:1', 'asker:2', 'asker:3']);

    const [verdict, ...rest] = await h.say(session, { text: "their controller's team" });
    expect(rest).toEqual([]);
    expect(verdict?.card).toEqual({
      headline: copy(flow.verdict.headline.soc1),
      reason: expect.any(String),
      advice: [copy(flow.verdict.types.default)],
      handoff: copy(flow.verdict.handoff),
      links: [
        { label: copy(flow.web.textAdvisor), href: `sms:${ADVISOR.phone}` },
        { label: copy(flow.web.callAdvisor), href: `tel:${ADVISOR.phone}` },
      ],
    });
    expect(verdict?.text.startsWith(copy(flow.verdict.headline.soc1))).toBe(true);
    const [conversation] = await h.composed.store.list({ channel: 'web' });
    expect(conversation).toMatchObject({ channel: 'web', participant: session, verdict: 'soc1', status: 'bot' });
  });

  it('reaches a verdict with buttons, from the greeting on; a button of an old question changes nothing', async () => {
    const { session } = await h.newSession();
    const asked = await h.say(session, { choice: 'product:1' });
    expect(texts(asked)).toEqual([question(flow.askAsker)]);
    const [verdict] = await h.say(session, { choice: 'asker:1' });
    expect(verdict?.card?.headline).toBe(copy(flow.verdict.headline.soc2));
    // The product question's button again, after the verdict: recorded, nothing said, nothing changed.
    expect(await h.say(session, { choice: 'product:2' })).toEqual([]);
    const { messages } = await h.history(session);
    expect(messages.filter((m) => m.from === 'visitor').map((m) => m.text)).toEqual([
      flow.askProduct.choices[0],
      flow.askAsker.choices[0],
      flow.askProduct.choices[1],
    ]);
    expect((await h.composed.store.list({ channel: 'web' }))[0]?.verdict).toBe('soc2');

    const refused = await h.post(session, { id: messageId(), choice: 'price:1' });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'bad_choice' });
  });

  it('answers a repeated message id with the same replies and handles it once; ids are per session', async () => {
    const { session } = await h.newSession();
    const id = messageId();
    const first = await h.post(session, { id, text: 'we build a CRM for dentists' });
    const again = await h.post(session, { id, text: 'we build a CRM for dentists' });
    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    const one = (await first.json()) as { replies: WebLineJson[] };
    const two = (await again.json()) as { replies: WebLineJson[]; duplicate: boolean };
    expect(two.replies).toEqual(one.replies);
    expect(two.duplicate).toBe(true);
    const [conversation] = await h.composed.store.list({ channel: 'web' });
    const detail = await h.composed.store.get(conversation?.id ?? 0);
    expect(detail?.transcript.filter((t) => t.direction === 'in')).toHaveLength(1);
    expect((await h.history(session)).messages).toHaveLength(2);

    // Another browser that happens to use the same id gets its own answer, not this one.
    const other = await h.newSession();
    const theirs = await h.post(other.session, { id, text: 'how much does it cost?' });
    expect(texts(((await theirs.json()) as { replies: WebLineJson[] }).replies)[0]).toBe(copy(flow.handoffCost));
  });

  it('keeps the history: what the visitor typed, the bot and PJ, in order', async () => {
    const { session } = await h.newSession();
    await h.say(session, { text: 'can I talk to a real person?' });
    const [conversation] = await h.composed.store.list({ channel: 'web' });
    await h.advisorReply(conversation?.id ?? 0, 'Hi, PJ here. What can I do for you?');
    const { greeting, messages } = await h.history(session);
    expect(greeting).toHaveLength(1);
    expect(messages.map((m) => [m.from, m.text])).toEqual([
      ['visitor', 'can I talk to a real person?'],
      ['bot', copy(flow.handoffHuman)],
      ['bot', copy(flow.web.contactOffer)],
      ['advisor', 'Hi, PJ here. What can I do for you?'],
    ]);
    expect(messages[2]?.askContact).toBe(true);
    expect(messages.map((m) => m.id)).toEqual([...messages.map((m) => m.id)].sort((a, b) => a - b));
  });

  it("delivers PJ's replies through the outbox as stored lines: delivered once stored", async () => {
    const { session } = await h.newSession();
    await h.say(session, { text: 'talk to a human please' });
    const [conversation] = await h.composed.store.list({ channel: 'web' });
    const id = conversation?.id ?? 0;
    const admin = await fetch(`${h.baseUrl}/admin/api/conversations?channel=web`, {
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(((await admin.json()) as { conversations: Array<{ id: number }> }).conversations.map((c) => c.id)).toEqual([
      id,
    ]);
    await h.advisorReply(id, 'On it.');
    const exported = await h.composed.store.exportConversation(id);
    const sent = exported?.outbox.filter((o) => o.destination.kind === 'client');
    const lines = (await h.history(session)).messages;
    expect(sent).toEqual([expect.objectContaining({ status: 'sent', providerId: `web:${lines.at(-1)?.id}` })]);
    expect(lines.at(-1)).toMatchObject({ from: 'advisor', text: 'On it.' });

    // Handing back: the bot's line reaches the panel the same way.
    const back = await fetch(`${h.baseUrl}/admin/api/conversations/${id}/release`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(back.status).toBe(200);
    await h.composed.outbox.tick();
    const after = (await h.history(session)).messages.at(-1);
    expect(after).toMatchObject({ from: 'bot' });
    expect(after?.text.startsWith(copy(flow.resumed))).toBe(true);
  });

  it('answers a visitor who writes in Spanish in Spanish, buttons included, as on SMS', async () => {
    const spanish = flowIn({ flow, translations: shippedFlows().translations }, 'es');
    const { session } = await h.newSession();
    await h.say(session, { text: 'hola, necesito saber qué reporte SOC necesito' });
    const [asked] = await h.say(session, { text: 'hacemos nómina' });
    expect(asked?.text).toBe(spanish.askAsker.question);
    expect(asked?.choices?.map((c) => c.label)).toEqual(spanish.askAsker.choices);
  });

  it('ends politely on "stop", as on Slack; the next message starts again', async () => {
    const { session } = await h.newSession();
    await h.say(session, { text: 'we do payroll' });
    expect(texts(await h.say(session, { text: 'stop' }))).toEqual([copy(flow.ended)]);
    expect((await h.composed.store.list({ channel: 'web' }))[0]?.status).toBe('closed');
    const again = await h.say(session, { text: 'hi' });
    expect(texts(again)).toEqual([question(flow.askProduct)]);
    expect((await h.composed.store.list({ channel: 'web' })).map((c) => c.status)).toEqual(['bot', 'closed']);
    expect(texts(await h.say(session, { text: 'help' }))[0]).toBe(copy(flow.slackHelp));
  });

  it('refuses what it cannot take with 400 or 413 and a reason', async () => {
    const { session } = await h.newSession();
    const cases: Array<[unknown, number, string]> = [
      ['{not json', 400, 'bad_json'],
      [{ text: 'no id' }, 400, 'bad_body'],
      [{ id: 'short', text: 'x' }, 400, 'bad_body'],
      [{ id: messageId(), text: '   ' }, 400, 'bad_body'],
      [{ id: messageId(), text: 42 }, 400, 'bad_body'],
      [{ id: messageId(), text: 'x'.repeat(1001) }, 413, 'too_long'],
      [{ id: messageId(), text: 'x'.repeat(9000) }, 413, 'too_large'],
    ];
    for (const [body, status, error] of cases) {
      const res = await h.post(session, body);
      expect([res.status, ((await res.json()) as { error: string }).error], JSON.stringify(body).slice(0, 40)).toEqual([
        status,
        error,
      ]);
    }
    const form = await h.post(session, 'text=hi', { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(400);
    expect((await h.composed.store.list({ channel: 'web' })).length).toBe(0);
  });

  /** POST /web/messages with the panel's language: the status, the language the server says, the replies. */
  async function sayIn(session: string, body: { text?: string; choice?: string }, language?: string) {
    const res = await h.post(session, { id: messageId(), ...body, ...(language !== undefined && { language }) });
    const json = (await res.json()) as { language?: string; message: WebLineJson; replies: WebLineJson[] };
    return { status: res.status, ...json };
  }

  it("greets a Spanish browser in Spanish (?language=es), and a conversation starts in the panel's language until the visitor's words say otherwise", async () => {
    const spanish = flowIn(h.composed.settings, 'es');
    const res = await fetch(`${h.baseUrl}/web/sessions?language=es`, { method: 'POST' });
    expect(res.status).toBe(201);
    const { session, language, greeting } = (await res.json()) as {
      session: string;
      language: string;
      greeting: WebLineJson[];
    };
    expect(language).toBe('es');
    expect(greeting).toEqual([
      {
        text: `${copy(spanish.greeting)} ${question(spanish.askProduct)}`,
        choices: spanish.askProduct.choices.map((label, i) => ({ label, value: `product:${i + 1}` })),
      },
    ]);
    expect(
      await fetch(`${h.baseUrl}/web/messages?language=es`, { headers: { Authorization: `Bearer ${session}` } }).then(
        (r) => r.json(),
      ),
    ).toMatchObject({ language: 'es', greeting });

    // A button of the Spanish greeting: the visitor's line is its Spanish label, and the bot goes on in Spanish.
    const clicked = await sayIn(session, { choice: 'product:2' }, 'es');
    expect(clicked).toMatchObject({ status: 200, language: 'es', message: { text: spanish.askProduct.choices[1] } });
    expect(texts(clicked.replies)).toEqual([spanish.askAsker.question]);
    expect((await h.composed.store.list({ channel: 'web', participant: session }))[0]?.language).toBe('es');

    // English typed under a Spanish greeting: the visitor's words decide.
    const other = (await (await fetch(`${h.baseUrl}/web/sessions?language=es`, { method: 'POST' })).json()) as {
      session: string;
    };
    const typed = await sayIn(other.session, { text: 'we run payroll for dental offices' }, 'es');
    expect(typed).toMatchObject({ status: 200, language: 'en' });
    expect(texts(typed.replies)).toEqual([flow.askAsker.question]);

    // No hint, or one the bot has no words for: English, as before.
    for (const query of ['', '?language=fr']) {
      const plain = (await (await fetch(`${h.baseUrl}/web/sessions${query}`, { method: 'POST' })).json()) as {
        language: string;
        greeting: WebLineJson[];
      };
      expect(plain.language, query).toBe('en');
      expect(plain.greeting[0]?.text, query).toBe(`${copy(flow.greeting)} ${question(flow.askProduct)}`);
    }
  });

  it("says the conversation's language with every answer and in the history, so the panel follows a switch both ways", async () => {
    const spanish = flowIn(h.composed.settings, 'es');
    const { session } = await h.newSession();
    const history = async (hint: string) =>
      (await fetch(`${h.baseUrl}/web/messages?language=${hint}`, {
        headers: { Authorization: `Bearer ${session}` },
      }).then((r) => r.json())) as { language: string; greeting: WebLineJson[] };

    const hola = await sayIn(session, { text: 'hola, hacemos nómina para clínicas dentales' }, 'en');
    expect(hola).toMatchObject({ status: 200, language: 'es' });
    // The history says the open conversation's language, whatever the panel last showed.
    expect(await history('en')).toMatchObject({
      language: 'es',
      greeting: [{ text: expect.stringContaining(spanish.askProduct.question) }],
    });

    const english = await sayIn(session, { text: 'english please' }, 'es');
    expect(english).toMatchObject({ status: 200, language: 'en' });
    expect(texts(english.replies).join(' ')).toContain(flow.askAsker.question);
    expect((await history('es')).language).toBe('en');

    const back = await sayIn(session, { text: 'en español por favor' }, 'en');
    expect(back).toMatchObject({ status: 200, language: 'es' });
    expect(texts(back.replies).join(' ')).toContain(spanish.askAsker.question);

    // Once the conversation has ended, the panel's own language is kept for the next one.
    await sayIn(session, { text: 'stop' }, 'es');
    expect((await history('es')).language).toBe('es');
    const again = await sayIn(session, { choice: 'product:1' }, 'es');
    expect(again).toMatchObject({ status: 200, language: 'es' });
    expect(texts(again.replies)).toEqual([spanish.askAsker.question]);
  });
});

describe('the web chat across origins', () => {
  const SITE = 'https://pj.example.com';
  let h: WebHarness;

  beforeEach(async () => {
    h = await startWebHarness({ WEB_CHAT_ORIGINS: `${SITE}, https://www.pj.example.com` });
  });
  afterEach(async () => {
    await h.close();
  });

  it('lets an allowed site in with CORS, answers its preflight, and refuses any other site with 403', async () => {
    const preflight = await fetch(`${h.baseUrl}/web/messages`, {
      method: 'OPTIONS',
      headers: {
        Origin: SITE,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);

    const { session } = await h.newSession({ Origin: SITE });
    const res = await h.post(session, { id: messageId(), text: 'hi' }, { Origin: SITE });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(SITE);
    expect(res.headers.get('vary')).toMatch(/Origin/);

    for (const origin of ['https://evil.example', 'null', 'https://pj.example.com.evil.example']) {
      const refused = await h.post(session, { id: messageId(), text: 'hi' }, { Origin: origin });
      expect(refused.status, origin).toBe(403);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      expect(await refused.json()).toEqual({
        error: 'origin_not_allowed',
        message: expect.stringContaining('WEB_CHAT_ORIGINS'),
      });
      const check = await fetch(`${h.baseUrl}/web/origin`, { headers: { Origin: origin } });
      expect(await check.json()).toEqual({ allowed: false });
      expect(check.headers.get('access-control-allow-origin')).toBe('*');
    }
    expect(
      (await fetch(`${h.baseUrl}/web/sessions`, { method: 'POST', headers: { Origin: 'https://evil.example' } }))
        .status,
    ).toBe(403);
    expect(h.logs.join('')).toContain('WEB_CHAT_ORIGINS');
  });

  it("always lets the bot's own pages in (the demo page), whatever WEB_CHAT_ORIGINS says", async () => {
    const own = h.baseUrl;
    const { session } = await h.newSession({ Origin: own });
    expect((await h.post(session, { id: messageId(), text: 'hi' }, { Origin: own })).status).toBe(200);
    expect(await (await fetch(`${h.baseUrl}/web/origin`, { headers: { Origin: own } })).json()).toEqual({
      allowed: true,
    });
  });
});

describe('the web chat rate limits', () => {
  let h: WebHarness;

  beforeEach(async () => {
    h = await startWebHarness(
      {},
      {
        limits: {
          sessionsPerAddress: { limit: 3, windowMs: 60_000 },
          messagesPerSession: { limit: 4, windowMs: 60_000 },
          requestsPerAddress: { limit: 40, windowMs: 60_000 },
        },
      },
    );
  });
  afterEach(async () => {
    await h.close();
  });

  it('answers 429 with Retry-After past the messages of one session, the sessions of one address and its requests', async () => {
    const { session } = await h.newSession();
    for (let i = 0; i < 4; i += 1) expect((await h.post(session, { id: messageId(), text: 'hi' })).status).toBe(200);
    const limited = await h.post(session, { id: messageId(), text: 'hi' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ error: 'rate_limited' });
    // Another session is not held back by this one.
    const other = await h.newSession();
    expect((await h.post(other.session, { id: messageId(), text: 'hi' })).status).toBe(200);

    await h.newSession();
    const tooManySessions = await fetch(`${h.baseUrl}/web/sessions`, { method: 'POST' });
    expect(tooManySessions.status).toBe(429);
    expect(tooManySessions.headers.get('retry-after')).toMatch(/^\d+$/);

    let status = 200;
    for (let i = 0; i < 40 && status !== 429; i += 1)
      status = (await fetch(`${h.baseUrl}/web/messages`, { headers: { Authorization: `Bearer ${session}` } })).status;
    expect(status).toBe(429);
  });
});
