import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboundMedia } from '../../src/core/media.js';
import { copy, flow } from '../support/copy.js';
import { signTwilio } from '../support/sign-twilio.js';
import { startSlackHarness, type SlackHarness } from '../support/slack-harness.js';
import {
  AUTH_TOKEN,
  BOT_NUMBER,
  messagesOf,
  newMessageSid,
  PUBLIC_BASE_URL,
  replyTo,
  startSmsHarness,
  type SmsHarness,
} from '../support/sms-harness.js';
import { jsonReply, newSid } from '../support/twilio-rest.js';

const CLIENT = '+14155550101';
const ACCOUNT = `AC${'d4'.repeat(16)}`;
const media = (n: number, contentType = 'image/jpeg'): InboundMedia => ({
  url: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Messages/MM${'1'.repeat(32)}/Media/ME${String(n).padStart(32, '0')}`,
  contentType,
});
const PICTURE = media(1);

/** An MMS as Twilio posts it: NumMedia, MediaUrlN and MediaContentTypeN, signed. */
async function mms(
  h: SmsHarness,
  body: string,
  attached: InboundMedia[],
  extra: Record<string, string> = {},
): Promise<Response> {
  const params: Record<string, string> = {
    MessageSid: `MM${newMessageSid().slice(2)}`,
    AccountSid: ACCOUNT,
    From: CLIENT,
    To: BOT_NUMBER,
    Body: body,
    NumMedia: String(attached.length),
    ...Object.fromEntries(
      attached.flatMap((m, i) => [
        [`MediaUrl${i}`, m.url],
        [`MediaContentType${i}`, m.contentType],
      ]),
    ),
    ...extra,
  };
  const signature = signTwilio(AUTH_TOKEN, `${PUBLIC_BASE_URL}/twilio/sms`, params);
  return h.post('/twilio/sms', params, { 'X-Twilio-Signature': signature });
}

async function mmsReplies(h: SmsHarness, body: string, attached: InboundMedia[]): Promise<string[]> {
  const res = await mms(h, body, attached);
  expect(res.status).toBe(200);
  return messagesOf(await res.text());
}

interface Detail {
  id: number;
  status: string;
  flags: string[];
  answers: { product: string | null; asker: string | null };
  transcript: Array<{
    direction: string;
    author: string;
    text: string;
    media?: Array<InboundMedia & { id: number; state: string }>;
  }>;
}

async function conversation(h: SmsHarness): Promise<Detail> {
  const list = (await (await h.admin(`/conversations?participant=${encodeURIComponent(CLIENT)}`)).json()) as {
    conversations: Array<{ id: number }>;
  };
  return (await (await h.admin(`/conversations/${list.conversations[0]?.id}`)).json()) as Detail;
}

const ack = copy(flow.mediaAck.picture);

describe('an MMS through the signed webhook', () => {
  let h: SmsHarness;
  beforeEach(async () => {
    h = await startSmsHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('acknowledges a picture without words in one line, repeats the question, and never counts it as a failed answer', async () => {
    await replyTo(h, CLIENT, 'hi');
    for (let i = 0; i < 3; i += 1) {
      expect(await mmsReplies(h, '', [PICTURE])).toEqual([`${ack} ${copy(flow.pending.product)}`]);
    }
    // The one concrete re-ask is still to come: three pictures were no misses.
    const [reask] = await replyTo(h, CLIENT, 'idk');
    expect(reask).toMatch(/^Sorry, I couldn't tell/);
    expect(await conversation(h)).toMatchObject({ status: 'bot', flags: [] });
  });

  it('greets a first text that is only pictures, says it cannot read them, and asks the first question', async () => {
    const [reply] = await mmsReplies(h, '', [media(1), media(2, 'image/png')]);
    expect(reply).toMatch(
      new RegExp(
        `^${copy(flow.greeting).replace(/[.?*()]/g, '\\$&')} ${copy(flow.mediaAck.pictures)} What does your product do\\?`,
      ),
    );
  });

  it('reads a caption as usual, the acknowledgement first in the same single text', async () => {
    await replyTo(h, CLIENT, 'hi');
    const replies = await mmsReplies(h, 'we run payroll for dental clinics', [PICTURE]);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatch(new RegExp(`^${ack.replace(/[.;]/g, '\\$&')} Who is asking you for the SOC report\\?`));
    expect((await conversation(h)).answers.product).toBe('we run payroll for dental clinics');
  });

  it('names a file that is not a picture as what was sent', async () => {
    await replyTo(h, CLIENT, 'hi');
    expect(await mmsReplies(h, '', [media(3, 'application/pdf')])).toEqual([
      `${copy(flow.mediaAck.file)} ${copy(flow.pending.product)}`,
    ]);
  });

  it('keeps the links and content types with the message, in order, in the transcript PJ reads', async () => {
    await mmsReplies(h, 'the questionnaire', [media(1), media(2, 'application/pdf')]);
    const [first] = (await conversation(h)).transcript;
    expect(first).toEqual({
      at: expect.any(String),
      direction: 'in',
      author: 'user',
      text: 'the questionnaire',
      media: [
        { ...media(1), id: expect.any(Number), state: 'linked', size: null },
        { ...media(2, 'application/pdf'), id: expect.any(Number), state: 'linked', size: null },
      ],
    });
  });

  it('says nothing about pictures while PJ has the conversation', async () => {
    await replyTo(h, CLIENT, 'hi');
    const { id } = await conversation(h);
    await h.composed.actions.takeOver(id, 'console');
    expect(await mmsReplies(h, '', [PICTURE])).toEqual([]);
    expect(await mmsReplies(h, 'here it is', [PICTURE])).toEqual([]);
  });

  it.each([
    ['a link that is not https', { MediaUrl0: 'http://example.test/a.jpg' }, /MediaUrl0/],
    ['a missing content type', { MediaContentType0: '' }, /MediaContentType0/],
    ['more media than Twilio sends', { NumMedia: '11' }, /NumMedia/],
  ])('refuses %s with 400, naming the field', async (_name, extra, field) => {
    const res = await mms(h, '', [PICTURE], extra);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(field);
  });
});

describe("a picture on PJ's surfaces", () => {
  const PJ = '+18585550199';
  const DESK = 'C0DESK';
  let h: SlackHarness;
  let sent: Array<Record<string, string>>;

  beforeEach(async () => {
    sent = [];
    nock('https://api.twilio.com')
      .persist()
      .post(`/2010-04-01/Accounts/${ACCOUNT}/Messages.json`)
      .reply((_uri, body) => {
        const form = Object.fromEntries(new URLSearchParams(String(body)));
        sent.push(form);
        return jsonReply(201, { sid: newSid(), status: 'queued', to: form.To, body: form.Body });
      });
    h = await startSlackHarness({
      TWILIO_ACCOUNT_SID: ACCOUNT,
      TWILIO_PHONE_NUMBER: BOT_NUMBER,
      ADVISOR_NOTIFY_SMS: PJ,
      SLACK_HANDOFF_CHANNEL: DESK,
      SLACK_ADVISOR_USER_IDS: 'U0PJ',
    });
  });
  afterEach(async () => {
    await h.close();
  });

  const flush = async () => {
    for (let before = -1; before !== sent.length + h.calls.length;) {
      before = sent.length + h.calls.length;
      await h.composed.outbox.tick();
    }
  };

  it('texts PJ "+1 picture" and mirrors the links into the desk thread once he is asked in', async () => {
    await replyTo(h, CLIENT, 'hi');
    await replyTo(h, CLIENT, 'can I talk to a person?');
    const { id } = await conversation(h);
    await h.composed.actions.takeOver(id, 'console');
    await mmsReplies(h, 'here is their questionnaire', [PICTURE]);
    await mmsReplies(h, '', [media(1), media(2)]);
    await flush();
    const toPj = sent.filter((m) => m.To === PJ).map((m) => m.Body);
    expect(toPj.slice(-2)).toEqual([`#${id} says: here is their questionnaire +1 picture`, `#${id} says: +2 pictures`]);
    const posts = h.calls
      .filter((c) => c.method === 'chat.postMessage' && c.body.channel === DESK)
      .map((c) => String(c.body.text));
    expect(posts.at(-2)).toBe(`#${id} says: here is their questionnaire +1 picture\n<${PICTURE.url}|image/jpeg>`);
    expect(posts.at(-1)).toBe(`#${id} says: +2 pictures\n<${media(1).url}|image/jpeg> <${media(2).url}|image/jpeg>`);
  });

  it('shows a picture among the last messages of the desk header', async () => {
    await replyTo(h, CLIENT, 'hi');
    await mmsReplies(h, '', [PICTURE]);
    await replyTo(h, CLIENT, 'how much does it cost?');
    await flush();
    const header = h.calls.find((c) => c.method === 'chat.postMessage' && c.body.channel === DESK);
    expect(JSON.stringify(header?.body.blocks)).toContain(`+1 picture <${PICTURE.url}|image/jpeg>`);
  });
});

describe('pictures downloaded into the database (TWILIO_FETCH_MEDIA=true)', () => {
  const TOKEN = AUTH_TOKEN;
  const basic = `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`;
  const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 9, 8, 7, 6, 5]);
  const PDF = Buffer.from('%PDF-1.4 <script>alert(1)</script>');
  let h: SmsHarness;

  beforeEach(async () => {
    h = await startSmsHarness({ TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_FETCH_MEDIA: 'true' });
  });
  afterEach(async () => {
    await h.close();
  });

  const pathOf = (m: InboundMedia) => new URL(m.url).pathname;
  const serve = (m: InboundMedia, body: Buffer, type: string) =>
    nock('https://api.twilio.com', { reqheaders: { authorization: basic } })
      .get(pathOf(m))
      .reply(200, body, { 'Content-Type': type, 'Content-Length': String(body.byteLength) });

  it('downloads each attachment once with the account credentials and serves it to PJ behind the admin token', async () => {
    const pdf = media(2, 'application/pdf');
    const twilio = [serve(PICTURE, JPEG, 'image/jpeg'), serve(pdf, PDF, 'application/pdf')];
    await mmsReplies(h, 'their questionnaire', [PICTURE, pdf]);
    await h.composed.background.runOnce();
    await h.composed.background.runOnce();
    for (const scope of twilio) scope.done();

    const detail = await conversation(h);
    const [picture, file] = detail.transcript[0]?.media ?? [];
    expect(picture).toMatchObject({ ...PICTURE, state: 'stored', size: JPEG.byteLength });
    expect(file).toMatchObject({ ...pdf, state: 'stored', size: PDF.byteLength });

    const shown = await h.admin(`/conversations/${detail.id}/media/${picture?.id}`);
    expect(shown.status).toBe(200);
    expect(shown.headers.get('content-type')).toBe('image/jpeg');
    expect(shown.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await shown.arrayBuffer())).toEqual(JPEG);
    // Bytes a client chose are never served as something a browser runs.
    const other = await h.admin(`/conversations/${detail.id}/media/${file?.id}`);
    expect(other.headers.get('content-type')).toBe('application/octet-stream');
    expect(other.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(other.headers.get('content-security-policy')).toContain('sandbox');

    expect((await h.admin(`/conversations/${detail.id}/media/${picture?.id}`, 'wrong-token-0123456789')).status).toBe(
      401,
    );
    expect((await h.admin(`/conversations/${detail.id + 1}/media/${picture?.id}`)).status).toBe(404);
  });

  it('keeps only the link of a file Twilio will not hand over, and tries a 503 again later', async () => {
    nock('https://api.twilio.com').get(pathOf(PICTURE)).reply(404, '', { 'Content-Length': '0' });
    nock('https://api.twilio.com')
      .get(pathOf(media(2)))
      .reply(503, '', { 'Content-Length': '0' });
    await mmsReplies(h, '', [PICTURE, media(2)]);
    await h.composed.background.runOnce();
    const states = (await conversation(h)).transcript[0]?.media?.map((m) => m.state);
    expect(states).toEqual(['failed', 'linked']);
  });
});
