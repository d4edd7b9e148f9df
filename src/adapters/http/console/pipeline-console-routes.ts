import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Router, type Response } from 'express';
import { CHANNEL_IDS, CHANNELS } from '../../../core/channels.js';

interface PipelineConsoleOptions {
  advisorName: string;
}

const CHANNEL_LABELS = Object.fromEntries(CHANNEL_IDS.map((id) => [id, CHANNELS[id].label]));

const read = (name: string): string => readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');

/** Chart.js as installed from npm (package.json pins it): its UMD build, one file with no imports. */
function readChartJs(): string {
  const main = createRequire(import.meta.url).resolve('chart.js');
  return readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8');
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// NOTE: the console page's policy: its own script and style only (Chart.js included), its own API.
function secure(res: Response): void {
  res.set({
    'Content-Security-Policy':
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data: blob:; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
    'X-Frame-Options': 'DENY',
  });
}

/**
 * PJ's pipeline page beside the console (/admin/pipeline), over the same admin API and token: its
 * page, script and style, and Chart.js served by the bot itself (no CDN). Answers only those and
 * passes everything else on. Read once, at start-up.
 */
export function createPipelineConsoleRouter(options: PipelineConsoleOptions): Router {
  const page = read('pipeline.html');
  const files = { script: read('pipeline.js'), style: read('pipeline.css'), chart: readChartJs() };
  const router = Router();
  router.get('/pipeline', (req, res) => {
    const base = escapeHtml(req.baseUrl);
    const html = page
      .replaceAll('{{base}}', base)
      .replaceAll('{{api}}', `${base}/api`)
      .replaceAll('{{advisor}}', escapeHtml(options.advisorName))
      .replaceAll('{{channels}}', escapeHtml(JSON.stringify(CHANNEL_LABELS)));
    secure(res);
    res.type('html').send(html);
  });
  router.get('/pipeline.js', (_req, res) => {
    secure(res);
    res.type('text/javascript').send(files.script);
  });
  router.get('/pipeline.css', (_req, res) => {
    secure(res);
    res.type('text/css').send(files.style);
  });
  router.get('/vendor/chart.umd.min.js', (_req, res) => {
    secure(res);
    res.type('text/javascript').send(files.chart);
  });
  return router;
}
