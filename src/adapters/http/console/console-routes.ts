import { readFileSync } from 'node:fs';
import { Router, type Response } from 'express';
import { CHANNEL_IDS, CHANNELS } from '../../../core/channels.js';
import { createPipelineConsoleRouter } from './pipeline-console-routes.js';

interface ConsoleRouterOptions {
  /** Names the "With PJ" tab (ADVISOR_NAME). */
  advisorName: string;
}

/** The page names each channel as PJ's other surfaces do. */
const CHANNEL_LABELS = Object.fromEntries(CHANNEL_IDS.map((id) => [id, CHANNELS[id].label]));

function read(name: string): string {
  return readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function secure(res: Response): void {
  // The page runs only its own script and talks only to its own origin. Caching, sniffing and the
  // Referer are settled for everything under /admin (admin-headers.ts).
  res.set({
    'Content-Security-Policy':
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data: blob:; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
    'X-Frame-Options': 'DENY',
  });
}

/**
 * PJ's web console: one dependency-free page over the admin API. Mounted at /admin before the
 * API: it answers only GET / (the page), /console.js and /console.css, and passes every other
 * request on (next), so /admin/api keeps working. The files are read once, at start-up, from
 * the folder beside this module: src/ under tsx, dist/ under `npm start` (the build copies them).
 */
export function createConsoleRouter(options: ConsoleRouterOptions): Router {
  const page = read('index.html');
  const script = read('console.js');
  const style = read('console.css');
  const router = Router();

  router.get('/', (req, res) => {
    // The mount point is only known per request; assets and the API are addressed from it.
    const base = escapeHtml(req.baseUrl);
    const html = page
      .replaceAll('{{base}}', base)
      .replaceAll('{{api}}', `${base}/api`)
      .replaceAll('{{advisor}}', escapeHtml(options.advisorName))
      .replaceAll('{{channels}}', escapeHtml(JSON.stringify(CHANNEL_LABELS)));
    secure(res);
    res.type('html').send(html);
  });
  router.get('/console.js', (_req, res) => {
    secure(res);
    res.type('text/javascript').send(script);
  });
  router.get('/console.css', (_req, res) => {
    secure(res);
    res.type('text/css').send(style);
  });
  // The pipeline page (/admin/pipeline) and the Chart.js it draws with.
  router.use(createPipelineConsoleRouter(options));
  return router;
}
