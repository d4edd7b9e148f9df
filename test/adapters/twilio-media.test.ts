import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { createTwilioMediaDownloader } from '../../src/adapters/twilio/twilio-media.js';

const SID = `AC${'e5'.repeat(16)}`;
const TOKEN = 'media-auth-token-0123456789abcdef';
const BASIC = `Basic ${Buffer.from(`${SID}:${TOKEN}`).toString('base64')}`;
const PATH = `/2010-04-01/Accounts/${SID}/Messages/MM${'2'.repeat(32)}/Media/ME${'3'.repeat(32)}`;
const URL_ = `https://api.twilio.com${PATH}`;
const CDN = 'https://media.twiliocdn.example';
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5, 6]);

const download = createTwilioMediaDownloader({ accountSid: SID, authToken: TOKEN, maxBytes: 64, timeoutMs: 2000 });
const picture = (body: Buffer, headers: Record<string, string> = {}) =>
  [200, body, { 'Content-Type': 'image/jpeg', 'Content-Length': String(body.byteLength), ...headers }] as const;

afterEach(() => {
  nock.cleanAll();
});

describe("downloading Twilio's MMS media", () => {
  it('sends the account credentials to Twilio and keeps the file and its content type', async () => {
    const twilio = nock('https://api.twilio.com', { reqheaders: { authorization: BASIC } })
      .get(PATH)
      .reply(...picture(JPEG));
    const result = await download(URL_, 'image/png');
    expect(result).toEqual({ ok: true, contentType: 'image/jpeg', bytes: new Uint8Array(JPEG) });
    twilio.done();
  });

  it("follows Twilio's redirect to its media store without the credentials", async () => {
    nock('https://api.twilio.com')
      .get(PATH)
      .reply(307, '', { Location: `${CDN}/signed/abc?sig=1`, 'Content-Length': '0' });
    let authorization: string | undefined = 'unset';
    const cdn = nock(CDN)
      .get('/signed/abc')
      .query({ sig: '1' })
      .reply(function reply() {
        authorization = this.req.headers.authorization;
        return picture(JPEG);
      });
    expect(await download(URL_, 'image/jpeg')).toMatchObject({ ok: true, bytes: new Uint8Array(JPEG) });
    expect(authorization).toBeUndefined();
    cdn.done();
  });

  it('never sends the credentials to a link that is not Twilio', async () => {
    let authorization: string | undefined = 'unset';
    nock(CDN)
      .get('/elsewhere.jpg')
      .reply(function reply() {
        authorization = this.req.headers.authorization;
        return picture(JPEG);
      });
    expect(await download(`${CDN}/elsewhere.jpg`, 'image/jpeg')).toMatchObject({ ok: true });
    expect(authorization).toBeUndefined();
  });

  it('leaves a file over the cap, whether its length is declared or only streamed', async () => {
    const big = Buffer.alloc(65, 1);
    nock('https://api.twilio.com')
      .get(PATH)
      .reply(...picture(big));
    expect(await download(URL_, 'image/jpeg')).toEqual({
      ok: false,
      tooLarge: true,
      retryable: false,
      reason: 'larger than 64 bytes',
    });
    nock('https://api.twilio.com').get(PATH).reply(200, big, { 'Content-Type': 'image/jpeg' });
    expect(await download(URL_, 'image/jpeg')).toMatchObject({ ok: false, tooLarge: true });
  });

  it.each([
    [404, false, /HTTP 404/],
    [401, false, /check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN/],
    [429, true, /HTTP 429/],
    [503, true, /HTTP 503/],
  ])('answers HTTP %i as a failure (retryable: %s)', async (status, retryable, reason) => {
    nock('https://api.twilio.com').get(PATH).reply(status, '', { 'Content-Length': '0' });
    const result = await download(URL_, 'image/jpeg');
    expect(result).toMatchObject({ ok: false, tooLarge: false, retryable });
    expect(result.ok ? '' : result.reason).toMatch(reason);
  });

  it('counts a network failure as worth another try, and names no secret', async () => {
    nock('https://api.twilio.com').get(PATH).replyWithError('socket hang up');
    const result = await download(URL_, 'image/jpeg');
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  it('refuses a plain http link and one that is not a URL', async () => {
    expect(await download('http://example.test/a.jpg', 'image/jpeg')).toMatchObject({ ok: false, retryable: false });
    expect(await download('not a url', 'image/jpeg')).toMatchObject({ ok: false, retryable: false });
  });
});
