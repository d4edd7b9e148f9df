import { readFileSync } from 'node:fs';
import { Router, type Response } from 'express';
import type { Flow } from '../../core/flow.js';
import { fillAdvisor, type Advisor } from '../../core/render-reply.js';
import { MAX_TEXT_LENGTH } from './web-body.js';

interface AssetOptions {
  flow: Flow;
  advisor: Advisor;
}

function read(name: string): string {
  return readFileSync(new URL(`./${name}`, import.meta.url), 'utf8');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** +18584618054 as 858-461-8054, as the bot's texts write it. */
function displayPhone(e164: string): string {
  const us = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return us ? `${us[1]}-${us[2]}-${us[3]}` : e164;
}

/**
 * The widget's words from flows/main.yaml (web:), with {advisor} and {phone} filled; {max} and
 * {contact} are filled in the browser. Written into widget.js where it says __SOC_ADVISOR_CONFIG__.
 */
function widgetConfig(flow: Flow, advisor: Advisor): string {
  const copy = Object.fromEntries(Object.entries(flow.web).map(([key, text]) => [key, fillAdvisor(text, advisor)]));
  return JSON.stringify({ copy, advisor: advisor.name, maxLength: MAX_TEXT_LENGTH });
}

/**
 * The chat widget any page embeds (GET /widget.js) and the demo page around it (GET /, with
 * /demo.css): a short page about SOC 1 and SOC 2 with the widget, so `npm start` and a browser
 * show the product. The files are read once, from beside this module (the build copies them).
 */
export function createWebAssets(options: AssetOptions): Router {
  const { flow, advisor } = options;
  // A JavaScript string literal holding the JSON: JSON.stringify twice escapes quotes and line breaks.
  const widget = read('widget.js').replace(
    /(['"])__SOC_ADVISOR_CONFIG__\1/,
    JSON.stringify(widgetConfig(flow, advisor)),
  );
  const page = read('demo.html')
    .replaceAll('{{advisor}}', escapeHtml(advisor.name))
    .replaceAll('{{phone}}', escapeHtml(displayPhone(advisor.phone)))
    .replaceAll('{{phoneHref}}', escapeHtml(advisor.phone));
  const style = read('demo.css');
  const router = Router();

  const demoHeaders = (res: Response) =>
    res.set({
      // The demo page runs only the bot's own script and talks only to the bot.
      'Content-Security-Policy':
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-cache',
    });

  router.get('/', (_req, res) => {
    demoHeaders(res).type('html').send(page);
  });
  router.get('/demo.css', (_req, res) => {
    demoHeaders(res).type('text/css').send(style);
  });
  router.get('/widget.js', (_req, res) => {
    // Loaded by other sites' pages: cross-origin readable, cached briefly so a new release shows soon.
    res
      .set({
        'Cache-Control': 'public, max-age=300',
        'Cross-Origin-Resource-Policy': 'cross-origin',
        'X-Content-Type-Options': 'nosniff',
      })
      .type('text/javascript')
      .send(widget);
  });
  return router;
}
