import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { signTwilio } from '../support/sign-twilio.js';
import { by, copy, flow } from '../support/copy.js';
import { AUTH_TOKEN, PUBLIC_BASE_URL, replyTo, startSmsHarness, type SmsHarness } from '../support/sms-harness.js';
import { jsonReply, newSid } from '../support/twilio-rest.js';

const ACCOUNT = `AC${'c3'.repeat(16)}`;
const PJ = '+18585550199';
const CLIENT = '+14155550101';
const MESSAGES = `/2010-04-01/Accounts/${ACCOUNT}/Messages.json`;

/** Everything the bot sent through Twilio's REST API, as form fields. */
function twilioRest(sent: Array<Record<string, string>>): nock.Scope {
  return nock('https://api.twilio.com')
    .persist()
    .post(MESSAGES)
    .reply((_uri, body) => {
      const form = Object.fromEntries(new URLSearchParams(String(body)));
      sent.push(form);
      return jsonReply(201, { sid: newSid(), status: 'queued', to: form.To, body: form.Body });
    });
}

describe('handing an SMS conversation to PJ on his phone, end to end', () => {
  let h: SmsHarness;
  let sent: Array<Record<string, string>>;

  beforeEach(async () => {
    sent = [];
    twilioRest(sent);
    h = await startSmsHarness({
      TWILIO_ACCOUNT_SID: ACCOUNT,
      TWILIO_PHONE_NUMBER: '+15005550006',
      ADVISOR_NOTIFY_SMS: PJ,
    });
  });
  afterEach(async () => {
    await h.composed.background.stop();
    await h.close();
  });

  /** Runs the background round until nothing more goes out. */
  const flush = async () => {
    for (let before = -1; before !== sent.length;) {
      before = sent.length;
      await h.composed.background.runOnce();
    }
  };
  const to = (number: string) => sent.filter((m) => m.To === number).map((m) => m.Body ?? '');

  it('flags, notifies PJ, relays his texts both ways, and hands back', async () => {
    await replyTo(h, CLIENT, 'hi');
    const [handoff] = await replyTo(h, CLIENT, 'is there a human I could speak with?');
    expect(handoff).toMatch(/real person/);
    await flush();
    const [notice] = to(PJ);
    expect(notice).toMatch(/^#(\d+) needs you \(human\): \+1415\*\*\*0101 on SMS\b/);
    const id = /^#(\d+)/.exec(notice ?? '')?.[1] ?? '';

    expect(await replyTo(h, PJ, 'list')).toEqual([expect.stringContaining(`#${id}`)]);
    const [ok] = await replyTo(h, PJ, `${id} Hi, PJ here. What does your product do?`);
    expect(ok).toMatch(new RegExp(`#${id}`));
    await flush();
    expect(to(CLIENT)).toEqual(['Hi, PJ here. What does your product do?']);
    expect(sent.find((m) => m.To === CLIENT)?.StatusCallback).toBe(`${PUBLIC_BASE_URL}/twilio/status`);

    // While PJ has it the bot is silent and PJ sees the client's words on his phone.
    expect(await replyTo(h, CLIENT, 'we run payroll')).toEqual([]);
    await flush();
    expect(to(PJ).at(-1)).toBe(`#${id} says: we run payroll`);

    await replyTo(h, PJ, `${id} back`);
    await flush();
    expect(to(CLIENT).at(-1)).toMatch(/^PJ handed you back to me\. What does your product do\?/);
    const detail = (await (await h.admin(`/conversations/${id}`)).json()) as {
      status: string;
      transcript: Array<{ direction: string; author: string; text: string }>;
    };
    expect(detail.status).toBe('bot');
    expect(detail.transcript.filter((e) => e.direction === 'event').map((e) => e.text)).toEqual([
      copy(flow.transcript.tookOver, { by: by('sms') }),
      copy(flow.transcript.handedBack, { by: by('sms') }),
    ]);
  });

  it("texts PJ a client's words as written: placeholders in them are never filled", async () => {
    await replyTo(h, CLIENT, 'is there a human I could speak with?');
    await flush();
    const id = /^#(\d+)/.exec(to(PJ)[0] ?? '')?.[1] ?? '';
    await replyTo(h, PJ, `${id} Hi, PJ here.`);
    const words = 'call {advisor} at {phone} about #{id}: {text} {sender}';
    expect(await replyTo(h, CLIENT, words)).toEqual([]);
    await flush();
    expect(to(PJ).at(-1)).toBe(copy(flow.advisor.clientMessage, { id, text: words }));
    expect(to(PJ).at(-1)).not.toContain('858-461-8054');
  });

  it('records delivery reports and opts the client out on error 21610', async () => {
    await replyTo(h, CLIENT, 'how much would a SOC 2 cost?');
    const id = String(
      ((await (await h.admin('/conversations')).json()) as { conversations: Array<{ id: number }> }).conversations[0]
        ?.id,
    );
    await replyTo(h, PJ, `${id} Around 20k to start.`);
    nock.cleanAll();
    let sid = '';
    nock('https://api.twilio.com')
      .persist()
      .post(MESSAGES)
      .reply((_uri, body) => {
        const form = Object.fromEntries(new URLSearchParams(String(body)));
        sent.push(form);
        const given = newSid();
        if (form.To === CLIENT) sid = given;
        return jsonReply(201, { sid: given, status: 'queued', to: form.To, body: form.Body });
      });
    await flush();
    expect(to(CLIENT)).toEqual(['Around 20k to start.']);
    const params = { MessageSid: sid, MessageStatus: 'undelivered', ErrorCode: '21610', To: CLIENT };
    const res = await h.post('/twilio/status', params, {
      'X-Twilio-Signature': signTwilio(AUTH_TOKEN, `${PUBLIC_BASE_URL}/twilio/status`, params),
    });
    expect(res.status).toBe(204);
    const c = (await (await h.admin(`/conversations/${id}`)).json()) as { status: string };
    expect(c.status).toBe('opted_out');
    const [refused] = await replyTo(h, PJ, `${id} hello?`);
    expect(refused).toMatch(/opted out/i);
  });
});
