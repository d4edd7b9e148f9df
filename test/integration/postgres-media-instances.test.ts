import nock from 'nock';
import { afterAll, expect, it } from 'vitest';
import { createSchemas, describePostgres } from '../support/postgres.js';
import { signTwilio } from '../support/sign-twilio.js';
import { AUTH_TOKEN, BOT_NUMBER, newMessageSid, PUBLIC_BASE_URL, startSmsHarness } from '../support/sms-harness.js';

// TWILIO_FETCH_MEDIA on PostgreSQL with two instances of the bot (two composed apps, one schema):
// a picture texted to one is downloaded once, whichever instances run their background round, and
// PJ's console gets the file from the other.

const CLIENT = '+14155550123';
const ACCOUNT = `AC${'e5'.repeat(16)}`;
const PICTURE_URL = `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Messages/MM${'2'.repeat(32)}/Media/ME${'3'.repeat(32)}`;
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 4, 2, 0]);

interface Detail {
  id: number;
  transcript: Array<{ media?: Array<{ id: number; url: string; state: string; size: number | null }> }>;
}

describePostgres('pictures on several instances (PostgreSQL)', (databaseUrl) => {
  const schemas = createSchemas(databaseUrl);
  afterAll(() => schemas.dropAll());

  it("downloads a picture once across instances, and another instance serves it to PJ's console", async () => {
    const env = { DATABASE_URL: await schemas.fresh(), TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_FETCH_MEDIA: 'true' };
    const [first, second] = await Promise.all([startSmsHarness(env), startSmsHarness(env)]);
    try {
      let downloads = 0;
      // Served as many times as asked: the test counts the asking, so a second download would show.
      nock('https://api.twilio.com')
        .get(new URL(PICTURE_URL).pathname)
        .times(5)
        .reply(() => {
          downloads += 1;
          return [200, JPEG, { 'Content-Type': 'image/jpeg', 'Content-Length': String(JPEG.byteLength) }];
        });
      const params = {
        MessageSid: `MM${newMessageSid().slice(2)}`,
        AccountSid: ACCOUNT,
        From: CLIENT,
        To: BOT_NUMBER,
        Body: '',
        NumMedia: '1',
        MediaUrl0: PICTURE_URL,
        MediaContentType0: 'image/jpeg',
      };
      const signature = signTwilio(AUTH_TOKEN, `${PUBLIC_BASE_URL}/twilio/sms`, params);
      expect((await first.post('/twilio/sms', params, { 'X-Twilio-Signature': signature })).status).toBe(200);

      const list = (await (await second.admin(`/conversations?participant=${encodeURIComponent(CLIENT)}`)).json()) as {
        conversations: Array<{ id: number }>;
      };
      const id = list.conversations[0]?.id ?? 0;
      const detail = async () => (await (await second.admin(`/conversations/${id}`)).json()) as Detail;
      const [linked] = (await detail()).transcript[0]?.media ?? [];
      expect(linked).toMatchObject({ url: PICTURE_URL, state: 'linked', size: null });
      expect((await second.admin(`/conversations/${id}/media/${linked?.id}`)).status).toBe(404);

      // Both instances' background rounds at once, twice: one of them downloads it, once.
      await Promise.all([first.composed.background.runOnce(), second.composed.background.runOnce()]);
      await Promise.all([first.composed.background.runOnce(), second.composed.background.runOnce()]);
      expect(downloads).toBe(1);

      const [stored] = (await detail()).transcript[0]?.media ?? [];
      expect(stored).toMatchObject({ id: linked?.id, state: 'stored', size: JPEG.byteLength });
      for (const instance of [second, first]) {
        const shown = await instance.admin(`/conversations/${id}/media/${stored?.id}`);
        expect(shown.status).toBe(200);
        expect(shown.headers.get('content-type')).toBe('image/jpeg');
        expect(Buffer.from(await shown.arrayBuffer())).toEqual(JPEG);
      }
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
