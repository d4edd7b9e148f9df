import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium, INSTALL_CHROMIUM, isCi } from '../support/chromium.js';
import { flowIn } from '../../src/core/localize-flow.js';
import { ADVISOR, copy, flow } from '../support/copy.js';
import { startWebHarness, type WebHarness } from '../support/web-harness.js';

/** Debian's chromium package, driven by playwright-core (which downloads no browser). */
const CHROMIUM = findChromium();
/** Without the browser these tests are reported as not run, loudly; under CI=true they fail instead. */
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
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

if (NOT_RUN) console.warn(`\n!!! the web chat widget browser test is ${NOT_RUN_TITLE} !!!\n`);

/** Another site's page embedding the widget, with CSS that would restyle any button it could reach. */
function hostPage(bot: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>PJ's blog</title>
<style>button { background: rgb(255, 0, 0) !important; font-size: 40px !important; } div { border: 5px solid lime; }</style>
</head><body><h1>PJ's blog</h1><p>An article.</p><script src="${bot}/widget.js" async></script></body></html>`;
}

describe.skipIf(NOT_RUN)(NOT_RUN ? NOT_RUN_TITLE : 'the web chat widget in a real headless Chromium', () => {
  let h: WebHarness;
  let site: Server;
  let sitePort: number;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    if (!CHROMIUM.found) {
      throw new Error(
        `chromium not found (${CHROMIUM.looked}) and CI=true requires the browser test: ${INSTALL_CHROMIUM}`,
      );
    }
    // PJ's own site: allowed as http://localhost:<port>; the same page as http://127.0.0.1:<port> is another origin.
    site = createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(hostPage(h.baseUrl));
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    sitePort = (site.address() as AddressInfo).port;
    h = await startWebHarness({ WEB_CHAT_ORIGINS: `http://localhost:${sitePort}` }, { pollMs: 200 });
    browser = await chromium.launch({ executablePath: CHROMIUM.path, args: CHROMIUM_ARGS, timeout: 30_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await new Promise((resolve) => site?.close(resolve));
  });

  /**
   * A fresh browser profile (no saved session) with a page that reports script errors and CSP
   * violations; `locale` is the browser's language (navigator.language).
   */
  async function visit(
    url: string,
    viewport = DESKTOP,
    refused = false,
    locale = 'en-US',
  ): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport, locale });
    const page = await context.newPage();
    page.setDefaultTimeout(8_000);
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // A refused origin's page logs the browser's CORS errors; nothing else may.
      if (message.type() === 'error' && !refused) problems.push(`console: ${message.text()}`);
    });
    await page.goto(url);
    return { context, page };
  }

  const bubble = (page: Page, text: string) => page.locator('.msg', { hasText: text });
  const say = async (page: Page, text: string) => {
    await page.fill('textarea', text);
    await page.keyboard.press('Enter');
    await bubble(page, text).first().waitFor();
  };

  async function conversationOf(page: Page): Promise<number> {
    const saved = await page.evaluate<string>(`localStorage.getItem('soc-advisor-chat:${h.baseUrl}')`);
    const session = (JSON.parse(saved) as { session: string }).session;
    const [conversation] = await h.composed.store.list({ channel: 'web', participant: session });
    return conversation?.id ?? 0;
  }

  it('shows the demo page with the widget: keyboard, live region, a verdict from typed answers', async () => {
    const { context, page } = await visit(h.baseUrl);
    await page.locator('h1', { hasText: 'SOC 1 or SOC 2' }).waitFor();
    // Keyboard only: Tab to the button, Enter opens, the cursor is in the text box, Escape closes.
    const launcher = page.locator('.launcher');
    await launcher.focus();
    await page.keyboard.press('Enter');
    await page.locator('.panel').waitFor();
    expect(await launcher.getAttribute('aria-expanded')).toBe('true');
    expect(await page.evaluate(`document.querySelector('#soc-advisor-chat').shadowRoot.activeElement.tagName`)).toBe(
      'TEXTAREA',
    );
    await bubble(page, flow.askProduct.question).waitFor();
    expect(await page.locator('.log').getAttribute('role')).toBe('log');
    await page.waitForFunction(
      `document.querySelector('#soc-advisor-chat').shadowRoot.querySelector('.log').getAttribute('aria-live') === 'polite'`,
    );

    await say(page, 'we run payroll for dental offices');
    await bubble(page, flow.askAsker.question).waitFor();
    await say(page, "their controller's team asked");
    const card = page.locator('.card');
    await card.waitFor();
    expect(await card.locator('h3').textContent()).toBe(copy(flow.verdict.headline.soc1));
    expect(await card.locator('a', { hasText: copy(flow.web.textAdvisor) }).getAttribute('href')).toBe(
      `sms:${ADVISOR.phone}`,
    );
    expect(await card.locator('a', { hasText: copy(flow.web.callAdvisor) }).getAttribute('href')).toBe(
      `tel:${ADVISOR.phone}`,
    );

    await page.keyboard.press('Escape');
    await page.locator('.panel').waitFor({ state: 'hidden' });
    expect(await page.evaluate(`document.querySelector('#soc-advisor-chat').shadowRoot.activeElement.className`)).toBe(
      'launcher',
    );
    expect(problems).toEqual([]);
    await context.close();
  }, 30_000);

  it('reaches a verdict with buttons on another allowed site, untouched by its CSS; old buttons answer once', async () => {
    const { context, page } = await visit(`http://localhost:${sitePort}/`);
    await page.click('.launcher');
    const first = page.locator('.choices button', { hasText: flow.askProduct.choices[0] });
    await first.click();
    await page.locator('.choices button', { hasText: flow.askAsker.choices[0] }).click();
    await page.locator('.card h3', { hasText: copy(flow.verdict.headline.soc2) }).waitFor();
    expect(await first.isDisabled()).toBe(true);
    expect(await first.getAttribute('aria-pressed')).toBe('true');
    // The host page's `button { background: red !important }` does not reach into the shadow root.
    expect(
      await page.evaluate(
        `getComputedStyle(document.querySelector('#soc-advisor-chat').shadowRoot.querySelector('.launcher')).backgroundColor`,
      ),
    ).toBe('rgb(31, 95, 191)');
    expect(problems).toEqual([]);
    await context.close();
  }, 30_000);

  it("offers the contact field when flagged, shows PJ's reply live, and restores everything after a reload", async () => {
    const { context, page } = await visit(h.baseUrl, PHONE);
    await page.click('.launcher');
    await say(page, 'can I talk to a real person?');
    const field = page.getByLabel(copy(flow.web.contactLabel));
    await field.waitFor();
    await field.fill('not a contact');
    await page.locator('form.contact button[type="submit"]').click();
    await page.locator('form.contact .error', { hasText: copy(flow.web.contactInvalid) }).waitFor();
    // The browser logs the 400 this test provoked; nothing else may fail.
    expect(problems.splice(0)).toEqual([expect.stringMatching(/status of 400/)]);
    await field.fill('jo@example.com');
    await page.locator('form.contact button[type="submit"]').click();
    await bubble(page, copy(flow.web.contactThanks, { contact: 'jo@example.com' })).waitFor();
    expect(await page.locator('form.contact').count()).toBe(0);

    const id = await conversationOf(page);
    await h.advisorReply(id, 'Hi Jo, PJ here. Free for a call at 3?');
    await page.locator('.msg.advisor', { hasText: 'Free for a call at 3?' }).waitFor();

    // The phone-width panel fills the screen.
    const box = await page.locator('.panel').boundingBox();
    expect(box?.width).toBe(PHONE.width);
    await page.screenshot({ path: '/tmp/web-chat-phone.png' });
    await expectShowsPanel(page);

    await page.reload();
    await page.click('.launcher');
    await page.locator('.msg.advisor', { hasText: 'Free for a call at 3?' }).waitFor();
    expect(await bubble(page, 'can I talk to a real person?').count()).toBe(1);
    expect(await page.locator('form.contact').count()).toBe(0);
    const detail = await h.composed.store.get(id);
    expect(detail?.transcript.some((t) => t.text === copy(flow.web.contactNote, { contact: 'jo@example.com' }))).toBe(
      true,
    );
    await expect
      .poll(async () => (await h.composed.store.get(id))?.transcript.some((t) => t.text === copy(flow.web.seenNote)))
      .toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  }, 30_000);

  it('resumes a dropped event stream without losing or repeating a message', async () => {
    const { context, page } = await visit(h.baseUrl);
    await page.click('.launcher');
    await say(page, 'talk to a human please');
    const id = await conversationOf(page);
    await h.advisorReply(id, 'first reply');
    await page.locator('.msg.advisor', { hasText: 'first reply' }).waitFor();
    h.composed.web.closeStreams();
    await h.advisorReply(id, 'second reply, sent while the stream was down');
    await h.advisorReply(id, 'third reply');
    await page.locator('.msg.advisor', { hasText: 'third reply' }).waitFor({ timeout: 10_000 });
    for (const text of ['first reply', 'second reply, sent while the stream was down', 'third reply']) {
      expect(await page.locator('.msg.advisor', { hasText: text }).count(), text).toBe(1);
    }
    await page.screenshot({ path: '/tmp/web-chat-desktop.png' });
    await expectShowsPanel(page);
    expect(problems).toEqual([]);
    await context.close();
  }, 30_000);

  /** The panel's own words as it shows them now: controls, labels for screen readers, the language. */
  async function panelWords(page: Page) {
    const widget = page.locator('#soc-advisor-chat');
    const attribute = (selector: string, name: string) => widget.locator(selector).getAttribute(name);
    return {
      lang: await attribute('.root', 'lang'),
      launcher: await attribute('.launcher', 'title'),
      title: await widget.locator('h2').textContent(),
      subtitle: await widget.locator('.sub').textContent(),
      close: await attribute('.close', 'aria-label'),
      placeholder: await attribute('textarea', 'placeholder'),
      send: await widget.locator('button.send').textContent(),
    };
  }

  /** What panelWords should read in `language`. */
  function expectedWords(language: 'en' | 'es') {
    const { web } = flowIn(h.composed.settings, language);
    return {
      lang: language,
      launcher: copy(web.launcher),
      title: copy(web.title),
      subtitle: copy(web.subtitle),
      close: copy(web.close),
      placeholder: copy(web.placeholder),
      send: copy(web.send),
    };
  }

  it("shows its own words in the conversation's language: Spanish once the visitor writes it, English again on request, kept after a reload", async () => {
    const spanish = flowIn(h.composed.settings, 'es');
    const { context, page } = await visit(h.baseUrl);
    await page.click('.launcher');
    await bubble(page, flow.askProduct.question).waitFor();
    expect(await panelWords(page)).toEqual(expectedWords('en'));

    await say(page, 'hola, hacemos nómina para clínicas dentales');
    await bubble(page, spanish.askAsker.question).waitFor();
    expect(await panelWords(page)).toEqual(expectedWords('es'));
    expect(await page.locator('.msg.visitor .who').last().textContent()).toBe(`${copy(spanish.web.you)}:`);
    // Flagged for PJ: the contact field's words are Spanish too.
    await say(page, 'quiero hablar con una persona');
    await page.getByLabel(copy(spanish.web.contactLabel)).waitFor();
    expect(await page.locator('form.contact button[type="submit"]').textContent()).toBe(copy(spanish.web.contactSend));

    await say(page, 'english please');
    await page.waitForFunction(
      `document.querySelector('#soc-advisor-chat').shadowRoot.querySelector('.root').lang === 'en'`,
    );
    expect(await panelWords(page)).toEqual(expectedWords('en'));
    // What the panel already shows changes with it: the open contact field, who wrote each line.
    await page.getByLabel(copy(flow.web.contactLabel)).waitFor();
    expect(await page.locator('form.contact button[type="button"]').textContent()).toBe(copy(flow.web.contactSkip));
    expect(await page.locator('.msg.visitor .who').first().textContent()).toBe(`${copy(flow.web.you)}:`);

    await page.reload();
    await page.click('.launcher');
    await bubble(page, 'english please').waitFor();
    expect(await panelWords(page)).toEqual(expectedWords('en'));
    expect(problems).toEqual([]);
    await context.close();
  }, 40_000);

  it('greets a Spanish browser in Spanish before anyone writes, and its buttons lead to a Spanish verdict card', async () => {
    const spanish = flowIn(h.composed.settings, 'es');
    const { context, page } = await visit(`http://localhost:${sitePort}/`, PHONE, false, 'es-MX');
    expect(await page.locator('.launcher').getAttribute('title')).toBe(copy(spanish.web.launcher));
    await page.click('.launcher');
    await bubble(page, copy(spanish.greeting)).waitFor();
    expect(await panelWords(page)).toEqual(expectedWords('es'));

    await page.locator('.choices button', { hasText: spanish.askProduct.choices[0] }).click();
    await page.locator('.choices button', { hasText: spanish.askAsker.choices[0] }).click();
    const card = page.locator('.card');
    await card.waitFor();
    expect(await card.locator('h3').textContent()).toBe(copy(spanish.verdict.headline.soc2));
    expect(await card.locator('a').allTextContents()).toEqual([
      copy(spanish.web.textAdvisor),
      copy(spanish.web.callAdvisor),
    ]);
    expect(await panelWords(page)).toEqual(expectedWords('es'));
    expect(problems).toEqual([]);
    await context.close();
  }, 30_000);

  it('cannot be used from a page on an origin WEB_CHAT_ORIGINS does not list', async () => {
    const before = (await h.composed.store.list({ channel: 'web' })).length;
    const { context, page } = await visit(`http://127.0.0.1:${sitePort}/`, DESKTOP, true);
    await page.click('.launcher');
    await page.locator('.error', { hasText: copy(flow.web.unavailable) }).waitFor();
    expect(await page.locator('textarea').isDisabled()).toBe(true);
    // The page's own script cannot use the API either: the browser refuses the answer (no CORS).
    const attempt = await page.evaluate<string>(
      `fetch('${h.baseUrl}/web/sessions', { method: 'POST' }).then((r) => 'answered ' + r.status, (e) => 'refused: ' + e.name)`,
    );
    expect(attempt).toBe('refused: TypeError');
    expect(await h.composed.store.list({ channel: 'web' })).toHaveLength(before);
    await context.close();
  }, 30_000);

  /** The screenshot just taken is a real picture (many colours), and the panel is on screen in it. */
  async function expectShowsPanel(page: Page): Promise<void> {
    const box = await page.locator('.panel').boundingBox();
    const viewport = page.viewportSize();
    expect(box).not.toBeNull();
    expect((box?.x ?? -1) >= 0 && (box?.y ?? -1) >= 0).toBe(true);
    expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(viewport?.width ?? 0);
    const png = await page.locator('.panel').screenshot();
    // Decoded by the browser itself: count the colours of a sample of the panel's pixels.
    const colours = await page.evaluate<number>(`(async () => {
      const image = new Image();
      image.src = 'data:image/png;base64,${png.toString('base64')}';
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext('2d');
      context.drawImage(image, 0, 0);
      const pixels = context.getImageData(0, 0, image.width, image.height).data;
      const seen = new Set();
      for (let i = 0; i < pixels.length; i += 4 * 31) seen.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
      return seen.size;
    })()`);
    expect(colours).toBeGreaterThan(20);
  }
});
