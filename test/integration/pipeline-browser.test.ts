import { writeFileSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium, INSTALL_CHROMIUM, isCi } from '../support/chromium.js';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline-harness.js';
import { ADMIN_TOKEN } from '../support/sms-harness.js';

// The Pipeline view (issue 13) in Debian's Chromium: PJ logs in on the console, opens Pipeline,
// and the charts Chart.js drew are in the screenshot, at desktop and at phone width.

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
const CHARTS = ['#funnel-chart', '#verdict-chart', '#flag-chart', '#day-chart'];

/** Epoch ms of a wall-clock time in Los Angeles in January 2026 (PST, UTC-8). */
const la = (day: number, hour: number, minute = 0): number => Date.UTC(2026, 0, day, hour + 8, minute);

/** Runs in the page (plain JS, so the test needs no DOM types): decodes the PNG and counts. */
const INK_SCRIPT = `async ({ data, box }) => {
  const image = new Image();
  image.src = 'data:image/png;base64,' + data;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(box.width);
  canvas.height = Math.ceil(box.height);
  const context = canvas.getContext('2d');
  context.drawImage(image, box.x, box.y, box.width, box.height, 0, 0, canvas.width, canvas.height);
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  const background = [pixels[0], pixels[1], pixels[2]];
  let ink = 0;
  const colours = new Set();
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i] !== background[0] || pixels[i + 1] !== background[1] || pixels[i + 2] !== background[2]) {
      ink++;
      colours.add(pixels[i] + ',' + pixels[i + 1] + ',' + pixels[i + 2]);
    }
  }
  return { ink, colours: colours.size };
}`;

/**
 * How many pixels of the page screenshot, inside `selector`'s box, differ from its corner (the
 * background), and how many colours they have: decoded by the browser from the PNG itself.
 */
async function inkIn(page: Page, png: Buffer, selector: string): Promise<{ ink: number; colours: number }> {
  const box = await page.locator(selector).boundingBox();
  if (box === null) throw new Error(`${selector} is not on the page`);
  return page.evaluate(`(${INK_SCRIPT})(${JSON.stringify({ data: png.toString('base64'), box })})`);
}

if (NOT_RUN) console.warn(`\n!!! the pipeline browser test is ${NOT_RUN_TITLE} !!!\n`);

describe.skipIf(NOT_RUN)(NOT_RUN ? NOT_RUN_TITLE : 'the Pipeline view in a real headless Chromium', () => {
  let h: PipelineHarness;
  let browser: Browser;
  const problems: string[] = [];

  async function open(width: number, height: number): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height } });
    page.setDefaultTimeout(10_000);
    // A script error or a Content-Security-Policy violation shows up here.
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(`${h.baseUrl}/admin`);
    await page.fill('#token', ADMIN_TOKEN);
    await page.click('button[type="submit"]');
    await page.locator('#app').waitFor();
    await page.click('a[href="/admin/pipeline"]');
    // Three conversations this week: the figures are in, so the charts were given their data.
    await page.locator('#started', { hasText: '3' }).waitFor();
    return page;
  }

  beforeAll(async () => {
    if (!CHROMIUM.found) {
      throw new Error(
        `chromium not found (${CHROMIUM.looked}) and CI=true requires the browser test: ${INSTALL_CHROMIUM}`,
      );
    }
    h = await startPipelineHarness({}, la(5, 9));
    await h.text('+14155550101', 'we are a SaaS for dentists and their IT team is asking');
    h.clock.now = la(6, 10);
    await h.text('+14155550103', 'payroll software');
    await h.text('+14155550103', 'our CFO and their security team');
    h.clock.now = la(7, 11);
    await h.text('+14155550104', 'can I talk to a real person?');
    h.clock.now = la(8, 12);
    browser = await chromium.launch({ executablePath: CHROMIUM.path, args: CHROMIUM_ARGS, timeout: 30_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('serves Chart.js from the bot under the console policy, behind nothing but the page', async () => {
    const chart = await fetch(`${h.baseUrl}/admin/vendor/chart.umd.min.js`);
    expect(chart.status).toBe(200);
    expect(chart.headers.get('content-type')).toMatch(/javascript/);
    expect(chart.headers.get('cache-control')).toBe('no-store');
    expect(await chart.text()).toContain('Chart.js v4');
    const page = await fetch(`${h.baseUrl}/admin/pipeline`);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self';/);
    expect(await page.text()).toContain('src="/admin/vendor/chart.umd.min.js"');
  });

  it('draws the funnel, verdicts, flags and days at desktop width, and takes a review', async () => {
    const page = await open(1280, 900);
    expect(await page.textContent('#median')).toBe('-');
    const png = await page.screenshot({ fullPage: true });
    writeFileSync('/tmp/pipeline-desktop.png', png);
    for (const chart of CHARTS) {
      const { ink, colours } = await inkIn(page, png, chart);
      expect(ink, chart).toBeGreaterThan(500);
      expect(colours, chart).toBeGreaterThan(3);
    }
    const row = page.locator('#lead-rows tr', { hasText: '+14155550101' });
    await row.locator('select').selectOption('soc1');
    await row.locator('input').fill('the books');
    await row.locator('button').click();
    await row.locator('.saved', { hasText: 'SOC 1: the books' }).waitFor();
    const { conversations } = (await (await h.get('/conversations?participant=%2B14155550101')).json()) as {
      conversations: Array<{ review: { verdict: string; note: string } | null }>;
    };
    expect(conversations[0]?.review).toMatchObject({ verdict: 'soc1', note: 'the books' });
    await page.fill('#search', 'payroll');
    expect(await page.locator('#lead-rows tr').count()).toBe(1);
    // The console's conversation view shows the review and the rules the verdict came from.
    await page.click('a.nav');
    await page.click('[role="tab"][data-status=""]');
    await page.locator('.conversation', { hasText: '+14155550101' }).click();
    const rules = h.composed.settings.rulesVersion ?? '';
    await page.locator('#meta', { hasText: `rules ${rules} - PJ reviewed: SOC1 (the books)` }).waitFor();
    await page.close();
  });

  it('fits a phone: one column, nothing wider than the screen, every chart drawn', async () => {
    const page = await open(390, 844);
    const png = await page.screenshot({ fullPage: true });
    writeFileSync('/tmp/pipeline-phone.png', png);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    for (const chart of CHARTS) {
      const box = await page.locator(chart).boundingBox();
      expect(box?.width ?? 0, chart).toBeLessThanOrEqual(390);
      const { ink } = await inkIn(page, png, chart);
      expect(ink, chart).toBeGreaterThan(300);
    }
    await page.close();
    expect(problems).toEqual([]);
  });
});
