import nock from 'nock';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium, INSTALL_CHROMIUM, isCi } from '../support/chromium.js';
import { copy, flow } from '../support/copy.js';
import { signTwilio } from '../support/sign-twilio.js';
import {
  ADMIN_TOKEN,
  AUTH_TOKEN,
  BOT_NUMBER,
  newMessageSid,
  PUBLIC_BASE_URL,
  startSmsHarness,
  type SmsHarness,
} from '../support/sms-harness.js';

// What the console shows about a client beyond the transcript, in a real headless Chromium: the
// picture they texted (downloaded with TWILIO_FETCH_MEDIA and fetched with the token, which the
// page's Content-Security-Policy must allow to show) and their local time beside the reply box.

const CHROMIUM = findChromium();
const NOT_RUN = !CHROMIUM.found && !isCi();
const NOT_RUN_TITLE = `NOT RUN: chromium not found (${CHROMIUM.found ? '' : CHROMIUM.looked}): ${INSTALL_CHROMIUM}`;
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ACCOUNT = `AC${'b8'.repeat(16)}`;
const CLIENT = '+12125550121'; // New York
const MEDIA_PATH = `/2010-04-01/Accounts/${ACCOUNT}/Messages/MM${'4'.repeat(32)}/Media/ME${'5'.repeat(32)}`;
// A 1x1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

if (NOT_RUN) console.warn(`\n!!! the console's client view browser test is ${NOT_RUN_TITLE} !!!\n`);

describe.skipIf(NOT_RUN)(
  NOT_RUN ? NOT_RUN_TITLE : "the console's view of the client, in a real headless Chromium",
  () => {
    let h: SmsHarness;
    let browser: Browser;
    let page: Page;
    const problems: string[] = [];

    beforeAll(async () => {
      if (!CHROMIUM.found)
        throw new Error(
          `chromium not found (${CHROMIUM.looked}) and CI=true requires the browser test: ${INSTALL_CHROMIUM}`,
        );
      h = await startSmsHarness({ TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_FETCH_MEDIA: 'true' });
      browser = await chromium.launch({ executablePath: CHROMIUM.path, args: CHROMIUM_ARGS, timeout: 30_000 });
      page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      page.setDefaultTimeout(10_000);
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`);
      });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await h?.close();
    });

    it("shows the client's downloaded picture in the transcript and their local time beside the reply box", async () => {
      nock('https://api.twilio.com')
        .get(MEDIA_PATH)
        .reply(200, PNG, { 'Content-Type': 'image/png', 'Content-Length': String(PNG.byteLength) });
      const params = {
        MessageSid: `MM${newMessageSid().slice(2)}`,
        AccountSid: ACCOUNT,
        From: CLIENT,
        To: BOT_NUMBER,
        Body: 'can I talk to a real person? here is their form',
        NumMedia: '1',
        MediaUrl0: `https://api.twilio.com${MEDIA_PATH}`,
        MediaContentType0: 'image/png',
      };
      const res = await h.post('/twilio/sms', params, {
        'X-Twilio-Signature': signTwilio(AUTH_TOKEN, `${PUBLIC_BASE_URL}/twilio/sms`, params),
      });
      expect(res.status).toBe(200);
      await h.composed.background.runOnce();

      await page.goto(`${h.baseUrl}/admin`);
      await page.fill('#token', ADMIN_TOKEN);
      await page.click('button[type="submit"]');
      await page.locator('.conversation', { hasText: CLIENT }).click();

      const picture = page.locator('#transcript img.media-picture');
      await picture.waitFor();
      // NOTE: the page's DOM types are not in this project's lib; the element is an <img>.
      await expect
        .poll(() => picture.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
        .toBe(1);
      expect(await picture.getAttribute('src')).toMatch(/^blob:/);

      const clientTime = page.locator('#client-time');
      await clientTime.waitFor();
      expect(await clientTime.textContent()).toMatch(
        new RegExp(`^${copy(flow.clientTime.label)}: \\d{1,2}:\\d{2} [AP]M E[SD]T \\(America/New_York\\)`),
      );
      expect(problems).toEqual([]);
    });
  },
);
