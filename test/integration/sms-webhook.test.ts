import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fillAdvisor } from '../../src/core/render-reply.js';
import { countSegments, isGsm7 } from '../../src/core/sms-segments.js';
import { signTwilio } from '../support/sign-twilio.js';
import {
  AUTH_TOKEN,
  BOT_NUMBER,
  newMessageSid,
  PUBLIC_BASE_URL,
  replyTo,
  startSmsHarness,
  type SmsHarness,
} from '../support/sms-harness.js';

const ALICE = '+14155550101';

interface ConversationJson {
  id: number;
  status: string;
  awaiting: string | null;
  verdict: string | null;
  flags: string[];
  answers: { product: string | null; asker: string | null };
  transcript: Array<{ direction: string; author: string; text: string }>;
}

async function conversationOf(h: SmsHarness, participant: string): Promise<ConversationJson> {
  const list = (await (await h.admin(`/conversations?participant=${encodeURIComponent(participant)}`)).json()) as {
    conversations: Array<{ id: number }>;
  };
  const first = list.conversations[0];
  if (!first) throw new Error(`no conversation for ${participant}`);
  return (await (await h.admin(`/conversations/${first.id}`)).json()) as ConversationJson;
}

describe('POST /twilio/sms', () => {
  let h: SmsHarness;
  beforeEach(async () => {
    h = await startSmsHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('takes a user from "hi" to a verdict in at most 6 GSM-7 segments', async () => {
    const replies = [
      ...(await replyTo(h, ALICE, 'hi')),
      ...(await replyTo(h, ALICE, 'we run payroll for small businesses')),
      ...(await replyTo(h, ALICE, 'their CFO asked for it')),
    ];
    expect(replies).toHaveLength(3);
    expect(replies[0]).toMatch(/what does your product do/i);
    expect(replies[1]).toMatch(/who is asking/i);
    expect(replies[2]).toMatch(/SOC 1/);
    expect(replies[2]).toMatch(/Type 1.*Type 2/);
    expect(replies[2]).toContain('858-461-8054');
    expect(replies.every(isGsm7)).toBe(true);
    const segments = replies.reduce((n, r) => n + countSegments(r).segments, 0);
    expect(segments).toBeLessThanOrEqual(6);

    const c = await conversationOf(h, ALICE);
    expect(c).toMatchObject({ status: 'bot', awaiting: null, verdict: 'soc1', flags: [] });
    expect(c.answers).toEqual({ product: 'we run payroll for small businesses', asker: 'their CFO asked for it' });
    expect(c.transcript.map((t) => `${t.direction}:${t.author}`)).toEqual([
      'in:user',
      'out:bot',
      'in:user',
      'out:bot',
      'in:user',
      'out:bot',
    ]);
  });

  it('answers a webhook URL with a query string the same way, its signature over the URL with the query', async () => {
    // The server takes a plain POST /twilio/sms before express; with a query, express's route does.
    const params = { MessageSid: newMessageSid(), From: ALICE, To: BOT_NUMBER, Body: 'hi', NumMedia: '0' };
    const path = '/twilio/sms?source=twilio';
    const signed = { 'X-Twilio-Signature': signTwilio(AUTH_TOKEN, `${PUBLIC_BASE_URL}${path}`, params) };
    const ok = await h.post(path, params, signed);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/<Message>/);
    const again = { ...params, MessageSid: newMessageSid() };
    const withoutQuery = { 'X-Twilio-Signature': signTwilio(AUTH_TOKEN, `${PUBLIC_BASE_URL}/twilio/sms`, again) };
    expect((await h.post(path, again, withoutQuery)).status).toBe(403);
  });

  it('skips the second question when the first text answers both', async () => {
    const replies = await replyTo(h, ALICE, 'We run AR collections for hospitals and their CFO wants a SOC report');
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatch(/You need SOC 1\./);
    expect((await conversationOf(h, ALICE)).verdict).toBe('soc1');
  });

  it('mentions ISO 27001 when the user sells internationally', async () => {
    await replyTo(h, ALICE, 'hello');
    await replyTo(h, ALICE, 'a SaaS CRM, we sell into the EU too');
    const [verdict] = await replyTo(h, ALICE, 'their security team');
    expect(verdict).toMatch(/SOC 2/);
    expect(verdict).toMatch(/ISO 27001/);
  });

  it('asks again once, concretely, then flags the conversation for PJ instead of guessing', async () => {
    const { flow, advisor } = h.composed.settings;
    await replyTo(h, ALICE, 'hi');
    const [again] = await replyTo(h, ALICE, 'idk');
    expect(again).toContain(flow.reaskProduct.question);
    const [flagged] = await replyTo(h, ALICE, 'no idea honestly');
    expect(flagged).toBe(fillAdvisor(flow.unclear, advisor));
    expect(flagged).toContain('858-461-8054');
    expect(await conversationOf(h, ALICE)).toMatchObject({
      status: 'waiting',
      flags: ['unclear'],
      verdict: null,
      awaiting: 'product',
    });
    // The flag line told them PJ has it: no second such line within 30 minutes.
    expect(await replyTo(h, ALICE, 'hello?')).toEqual([]);
  });

  it("keeps a product it does not know in the client's words and lets the asker decide", async () => {
    const { flow } = h.composed.settings;
    await replyTo(h, ALICE, 'hi');
    const [ask] = await replyTo(h, ALICE, 'we sell furniture');
    expect(ask).toContain(flow.askAsker.question);
    const [verdict] = await replyTo(h, ALICE, 'their infosec team');
    expect(verdict).toContain(flow.verdict.headline.soc2);
    expect(await conversationOf(h, ALICE)).toMatchObject({
      status: 'bot',
      verdict: 'soc2',
      flags: [],
      answers: { product: 'we sell furniture', asker: 'their infosec team' },
    });
  });

  it('follows a named report and Type: "SOC 1, type II" gets Type 2 advice, not "a Type 1 first"', async () => {
    const { flow, advisor } = h.composed.settings;
    await replyTo(h, ALICE, 'hi');
    await replyTo(h, ALICE, 'we run payroll for clinics');
    const [verdict] = await replyTo(h, ALICE, 'the auditors want SOC 1, type II');
    expect(verdict).toContain(flow.verdict.headline.soc1);
    expect(verdict).toContain(fillAdvisor(flow.verdict.types.type2Requested, advisor));
    expect(verdict).not.toContain(fillAdvisor(flow.verdict.types.default, advisor));
    expect((await conversationOf(h, ALICE)).verdict).toBe('soc1');
  });

  it('flags a request for a person and a question about price', async () => {
    const [human] = await replyTo(h, ALICE, 'is there a human I could speak with?');
    expect(human).toMatch(/real person/);
    expect(await conversationOf(h, ALICE)).toMatchObject({ status: 'waiting', flags: ['human'] });

    const BOB = '+14155550102';
    await replyTo(h, BOB, 'hi');
    const [cost] = await replyTo(h, BOB, 'what would an audit set me back?');
    expect(cost).toContain('858-461-8054');
    expect(await conversationOf(h, BOB)).toMatchObject({ status: 'waiting', flags: ['cost'] });
  });

  it('restarts and explains itself at any point', async () => {
    await replyTo(h, ALICE, 'hi');
    await replyTo(h, ALICE, 'we host websites');
    const [restart] = await replyTo(h, ALICE, "let's begin again");
    expect(restart).toMatch(/start over/i);
    expect(restart).toMatch(/what does your product do/i);
    expect((await conversationOf(h, ALICE)).awaiting).toBe('product');
    const [help] = await replyTo(h, ALICE, 'what is this?');
    expect(help).toMatch(/SOC 1, SOC 2 or both/);
    expect(help).toContain('858-461-8054');
    expect(help).toMatch(/STOP/);
  });

  it('records STOP silently, sends nothing after it, and resumes quietly on START', async () => {
    await replyTo(h, ALICE, 'hi');
    expect(await replyTo(h, ALICE, 'STOP')).toEqual([]);
    expect((await conversationOf(h, ALICE)).status).toBe('opted_out');
    for (const text of ['hello?', 'we run payroll', 'help', 'restart', 'talk to a human']) {
      expect(await replyTo(h, ALICE, text)).toEqual([]);
    }
    expect(await replyTo(h, ALICE, 'start')).toEqual([]);
    expect(await conversationOf(h, ALICE)).toMatchObject({ status: 'bot', awaiting: 'product' });
    expect(await replyTo(h, ALICE, 'we run payroll')).toHaveLength(1);
  });

  it.each(['STOP', 'stopall', 'Unsubscribe', 'CANCEL', 'end', 'QUIT', 'revoke', 'optout', ' Stop '])(
    'treats %j as an opt-out keyword',
    async (keyword) => {
      expect(await replyTo(h, ALICE, keyword)).toEqual([]);
      expect((await conversationOf(h, ALICE)).status).toBe('opted_out');
    },
  );

  it.each(['please stop asking me that', 'not interested in soc 1, just want to know which soc 2'])(
    'does not opt out on %j, as a first text or mid-conversation, and replies',
    async (text) => {
      const BOB = '+14155550102';
      const first = await replyTo(h, BOB, text);
      expect(first).toHaveLength(1);
      expect((await conversationOf(h, BOB)).status).not.toBe('opted_out');

      await replyTo(h, ALICE, 'hi');
      await replyTo(h, ALICE, 'we run payroll for dentists');
      const mid = await replyTo(h, ALICE, text);
      expect(mid).toHaveLength(1);
      expect(mid[0]).not.toBe(h.composed.settings.flow.optOutConfirm);
      const c = await conversationOf(h, ALICE);
      expect(c.status).not.toBe('opted_out');
      expect(c.transcript.at(-1)).toMatchObject({ direction: 'out', author: 'bot', text: mid[0] });
    },
  );

  it('answers "yes" mid-conversation: the pending question again, and the conversation goes on', async () => {
    const { flow } = h.composed.settings;
    await replyTo(h, ALICE, 'hi');
    const [product] = await replyTo(h, ALICE, 'yes');
    expect(product).toContain(flow.askProduct.question);
    await replyTo(h, ALICE, 'we run payroll');
    const [asker] = await replyTo(h, ALICE, 'yes');
    expect(asker).toContain(flow.askAsker.question);
    expect(await conversationOf(h, ALICE)).toMatchObject({ status: 'bot', awaiting: 'asker' });
    const [verdict] = await replyTo(h, ALICE, 'their CFO');
    expect(verdict).toContain(flow.verdict.headline.soc1);
  });

  it('confirms a plain-language opt-out once and says how to resume', async () => {
    await replyTo(h, ALICE, 'hi');
    const [confirm] = await replyTo(h, ALICE, "please don't text me again");
    expect(confirm).toMatch(/START/);
    expect((await conversationOf(h, ALICE)).status).toBe('opted_out');
    expect(await replyTo(h, ALICE, 'seriously')).toEqual([]);
  });

  it('stays silent on HELP by default, because Twilio answers it', async () => {
    expect(await replyTo(h, ALICE, 'HELP')).toEqual([]);
  });

  it('answers a repeated MessageSid with the same reply and changes nothing', async () => {
    const sid = newMessageSid();
    await replyTo(h, ALICE, 'hi');
    const first = await replyTo(h, ALICE, 'we process payments for online shops', sid);
    const before = await conversationOf(h, ALICE);
    const again = await replyTo(h, ALICE, 'we process payments for online shops', sid);
    expect(again).toEqual(first);
    const after = await conversationOf(h, ALICE);
    expect(after.transcript).toHaveLength(before.transcript.length);
    expect(after).toEqual(before);
  });

  it('stores a burst of 20 concurrent texts and answers each in the order it handled them', async () => {
    const texts = Array.from({ length: 20 }, (_, i) => `message ${i + 1}`);
    const responses = await Promise.all(texts.map((t) => replyTo(h, ALICE, t)));
    const replyFor = new Map(texts.map((t, i) => [t, responses[i]]));
    const c = await conversationOf(h, ALICE);
    const inbound = c.transcript.filter((t) => t.direction === 'in').map((t) => t.text);
    // Concurrent connections may arrive in any order; every text is kept exactly once.
    expect([...inbound].sort()).toEqual([...texts].sort());
    // Each text's reply sits right after it in the transcript: nothing answered out of order.
    const transcriptReplies = new Map<string, string[]>();
    let current = '';
    for (const entry of c.transcript) {
      if (entry.direction === 'in') transcriptReplies.set((current = entry.text), []);
      else transcriptReplies.get(current)?.push(entry.text);
    }
    expect(transcriptReplies).toEqual(replyFor);
    // Sensible: no reply storm. Two answers settle it, the next text goes to PJ with one line
    // saying so, and the rest get no more such lines for 30 minutes.
    const { flow, advisor } = h.composed.settings;
    const sent = c.transcript.filter((t) => t.direction === 'out').map((t) => t.text);
    expect(sent).toHaveLength(3);
    expect([fillAdvisor(flow.pointer, advisor), fillAdvisor(flow.unclear, advisor)]).toContain(sent.at(-1));
    expect(c.status).toBe('waiting');
  });

  it('rejects a missing or wrong signature with 403 and logs what to fix', async () => {
    const params = { MessageSid: newMessageSid(), From: ALICE, To: BOT_NUMBER, Body: 'hi' };
    expect((await h.post('/twilio/sms', params)).status).toBe(403);
    const wrong = signTwilio('not-the-token', `${PUBLIC_BASE_URL}/twilio/sms`, params);
    expect((await h.post('/twilio/sms', params, { 'X-Twilio-Signature': wrong })).status).toBe(403);
    const tampered = signTwilio(AUTH_TOKEN, `${PUBLIC_BASE_URL}/twilio/sms`, params);
    const res = await h.post('/twilio/sms', { ...params, Body: 'bye' }, { 'X-Twilio-Signature': tampered });
    expect(res.status).toBe(403);
    expect(h.logs.join('')).toMatch(/TWILIO_AUTH_TOKEN/);
    const list = (await (await h.admin('/conversations')).json()) as { conversations: unknown[] };
    expect(list.conversations).toEqual([]);
  });

  it('rejects a signed body that is not an incoming message with 400 and the reason', async () => {
    const params = { MessageSid: 'not-a-sid', From: 'alice', To: BOT_NUMBER, Body: 'hi' };
    const signature = signTwilio(AUTH_TOKEN, `${PUBLIC_BASE_URL}/twilio/sms`, params);
    const res = await h.post('/twilio/sms', params, { 'X-Twilio-Signature': signature });
    expect(res.status).toBe(400);
    const body = await res.text();
    expect(body).toMatch(/MessageSid/);
    expect(body).toMatch(/From/);
  });

  it('answers a body it cannot read with a 4xx and the reason, not a 500', async () => {
    const res = await h.post('/twilio/sms', { Body: 'x'.repeat(70_000) });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { message: string }).message).toMatch(/too large/i);
    expect(h.logs.join('')).toMatch(/rejected request body/);
  });

  it('never logs a full phone number, not even at debug level', async () => {
    const debug = await startSmsHarness({ LOG_LEVEL: 'debug' });
    try {
      await replyTo(debug, ALICE, 'hi');
      const logs = debug.logs.join('');
      expect(logs).toContain('+1415***0101');
      expect(logs).not.toContain(ALICE);
    } finally {
      await debug.close();
    }
  });

  it('writes no log line per text at info level', async () => {
    const before = h.logs.length;
    await replyTo(h, ALICE, 'hi');
    await replyTo(h, ALICE, 'we run payroll for restaurants');
    expect(h.logs.slice(before)).toEqual([]);
  });
});

describe('POST /twilio/sms with SMS_KEYWORD_REPLIES=bot', () => {
  let h: SmsHarness;
  beforeEach(async () => {
    h = await startSmsHarness({ SMS_KEYWORD_REPLIES: 'bot' });
  });
  afterEach(async () => {
    await h.close();
  });

  it('answers HELP, STOP and START itself', async () => {
    const [help] = await replyTo(h, ALICE, 'HELP');
    expect(help).toMatch(/Reply STOP to opt out/);
    expect(help).toContain('858-461-8054');
    const [stop] = await replyTo(h, ALICE, 'STOP');
    expect(stop).toMatch(/START/);
    expect(await replyTo(h, ALICE, 'hi')).toEqual([]);
    const [start] = await replyTo(h, ALICE, 'START');
    expect(start).toMatch(/what does your product do/i);
  });
});
