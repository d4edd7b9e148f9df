import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CAPPED } from '../../src/app/cap-phone-notices.js';
import { flowIn } from '../../src/core/localize-flow.js';
import type { OutboxItem } from '../../src/core/ports.js';
import { copy, flow } from '../support/copy.js';
import { ACCOUNT_SID, BOT_FROM, REST_AUTH_TOKEN, twilioStandIn } from '../support/twilio-rest.js';
import { startWebHarness, type WebHarness, type WebLineJson } from '../support/web-harness.js';

const PJ_PHONE = '+18585550199';
const TWILIO = {
  TWILIO_ACCOUNT_SID: ACCOUNT_SID,
  TWILIO_AUTH_TOKEN: REST_AUTH_TOKEN,
  TWILIO_PHONE_NUMBER: BOT_FROM,
  PUBLIC_BASE_URL: 'https://bot.example.test',
  ADVISOR_NOTIFY_SMS: PJ_PHONE,
  WEB_PHONE_NOTICES_PER_HOUR: '2',
};

const toPhone = (items: OutboxItem[]) =>
  items.flatMap((o) => (o.destination.kind === 'advisorSms' && o.payload.type === 'notice' ? [o] : []));

describe('the web chat visitor: contact, seen, and what reaches PJ', () => {
  let h: WebHarness;

  beforeEach(async () => {
    h = await startWebHarness(TWILIO);
  });
  afterEach(async () => {
    await h.close();
  });

  async function flagged(): Promise<{ session: string; id: number }> {
    const { session } = await h.newSession();
    const replies = await h.say(session, { text: 'how much would a SOC 2 cost us?' });
    expect(replies.at(-1)).toMatchObject({ askContact: true, text: copy(flow.web.contactOffer) });
    const [conversation] = await h.composed.store.list({ channel: 'web', participant: session });
    return { session, id: conversation?.id ?? 0 };
  }

  const postJson = (session: string, path: string, body: unknown) =>
    fetch(`${h.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${session}` },
      body: JSON.stringify(body),
    });

  it('offers the contact field once per conversation, never before it is flagged', async () => {
    const { session } = await h.newSession();
    const calm = await h.say(session, { text: 'we make accounting software' });
    expect(calm.some((l) => l.askContact)).toBe(false);
    expect((await postJson(session, '/web/contact', { contact: 'jo@example.com' })).status).toBe(409);
    await h.say(session, { text: 'can I talk to a person?' });
    const again = await h.say(session, { text: 'hello?' });
    expect(again.some((l) => l.askContact)).toBe(false);
    expect((await h.history(session)).messages.filter((m) => m.askContact)).toHaveLength(1);
  });

  it('keeps the contact with the conversation, shows it to PJ, thanks the visitor; refuses what is not one', async () => {
    const { session, id } = await flagged();
    const bad = await postJson(session, '/web/contact', { contact: 'call me maybe' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'bad_contact', message: copy(flow.web.contactInvalid) });

    const res = await postJson(session, '/web/contact', { contact: ' jo@example.com ' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { message: WebLineJson; replies: WebLineJson[] };
    expect(body.message).toMatchObject({ from: 'visitor', text: 'jo@example.com', leftContact: true });
    expect(body.replies.map((r) => r.text)).toEqual([copy(flow.web.contactThanks, { contact: 'jo@example.com' })]);

    const detail = await h.composed.store.get(id);
    expect(detail?.transcript.at(-1)).toMatchObject({
      direction: 'event',
      text: copy(flow.web.contactNote, { contact: 'jo@example.com' }),
    });
    const notices = toPhone((await h.composed.store.exportConversation(id))?.outbox ?? []);
    expect(notices.map((n) => n.payload.type === 'notice' && n.payload.notice)).toEqual([
      { kind: 'flagged', reasons: ['cost'] },
      { kind: 'clientMessage', text: copy(flow.web.contactNotice, { contact: 'jo@example.com' }) },
    ]);
    expect((await postJson(session, '/web/contact', { contact: '+1 (415) 555-0101' })).status).toBe(200);
  });

  it("offers, refuses and thanks in Spanish when the conversation is; PJ's side stays English", async () => {
    const spanish = flowIn(h.composed.settings, 'es');
    const { session } = await h.newSession();
    const replies = await h.say(session, { text: 'hola, ¿cuánto cuesta un reporte SOC 2?' });
    expect(replies.at(-1)).toMatchObject({ askContact: true, text: copy(spanish.web.contactOffer) });
    const [conversation] = await h.composed.store.list({ channel: 'web', participant: session });
    const id = conversation?.id ?? 0;

    const bad = await postJson(session, '/web/contact', { contact: 'llámeme', language: 'es' });
    expect(await bad.json()).toEqual({ error: 'bad_contact', message: copy(spanish.web.contactInvalid) });
    // The open conversation's language wins over what the panel says it shows.
    const thanked = await postJson(session, '/web/contact', { contact: 'jo@example.com', language: 'en' });
    const body = (await thanked.json()) as { replies: WebLineJson[] };
    expect(body.replies.map((r) => r.text)).toEqual([copy(spanish.web.contactThanks, { contact: 'jo@example.com' })]);
    expect(spanish.web.contactThanks).not.toBe(flow.web.contactThanks);

    const detail = await h.composed.store.get(id);
    expect(detail?.transcript.at(-1)?.text).toBe(copy(flow.web.contactNote, { contact: 'jo@example.com' }));
    const notices = toPhone((await h.composed.store.exportConversation(id))?.outbox ?? []);
    expect(notices.at(-1)?.payload).toMatchObject({
      notice: { kind: 'clientMessage', text: copy(flow.web.contactNotice, { contact: 'jo@example.com' }) },
    });
  });

  it("texts PJ's phone once per web conversation and at most WEB_PHONE_NOTICES_PER_HOUR an hour", async () => {
    const twilio = twilioStandIn();
    twilio.answer(undefined, { times: 2 });
    const first = await flagged();
    await postJson(first.session, '/web/contact', { contact: 'jo@example.com' });
    await flagged();
    await flagged();
    for (let i = 0; i < 4; i += 1) await h.composed.outbox.tick();
    expect(twilio.received.map((form) => form.To)).toEqual([PJ_PHONE, PJ_PHONE]);
    twilio.assertDone();
    const all = (await h.composed.store.list({ channel: 'web' })).map((c) => c.id);
    const items = (
      await Promise.all(all.map(async (id) => (await h.composed.store.exportConversation(id))?.outbox ?? []))
    ).flat();
    const phone = toPhone(items);
    expect(phone.every((item) => item.status === 'sent')).toBe(true);
    expect(phone.filter((item) => item.providerId === CAPPED)).toHaveLength(2);
  });

  it("notes in the transcript, once, that the visitor's panel showed PJ's reply", async () => {
    const { session, id } = await flagged();
    await h.advisorReply(id, 'Hi, this is PJ. Happy to give you a number.');
    const { messages } = await h.history(session);
    const reply = messages.at(-1);
    expect(reply?.from).toBe('advisor');
    const before = await postJson(session, '/web/seen', { through: (reply?.id ?? 0) - 1 });
    expect(before.status).toBe(204);
    const seenNotes = async () =>
      (await h.composed.store.get(id))?.transcript.filter((t) => t.text === copy(flow.web.seenNote)) ?? [];
    expect(await seenNotes()).toEqual([]);
    expect((await postJson(session, '/web/seen', { through: reply?.id })).status).toBe(204);
    expect((await postJson(session, '/web/seen', { through: reply?.id })).status).toBe(204);
    expect(await seenNotes()).toHaveLength(1);
    expect((await postJson(session, '/web/seen', { through: 'all' })).status).toBe(400);
  });
});
