import { readFileSync } from 'node:fs';
import { Router, type Response } from 'express';
import { LANGUAGES } from '../../core/languages.js';
import { flowIn, type FlowsByLanguage } from '../../core/localize-flow.js';
import { fillAdvisor, type Advisor } from '../../core/render-reply.js';
import { MAX_TEXT_LENGTH } from './web-body.js';

interface AssetOptions extends FlowsByLanguage {
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
 * The widget's words in every language (web: of flows/main.yaml and of each translation), with
 * {advisor} and {phone} filled; {max} and {contact} are filled in the browser, which shows the
 * conversation's language. Written into widget.js where it says __SOC_ADVISOR_CONFIG__.
 */
function widgetConfig(flows: FlowsByLanguage, advisor: Advisor): string {
  const copy = Object.fromEntries(
    LANGUAGES.map((language) => [
      language,
      Object.fromEntries(
        Object.entries(flowIn(flows, language).web).map(([key, text]) => [key, fillAdvisor(text, advisor)]),
      ),
    ]),
  );
  // Every letter beyond ASCII as \uXXXX, so the script reads the same whatever charset a page assumes.
  return JSON.stringify({ copy, advisor: advisor.name, maxLength: MAX_TEXT_LENGTH }).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * The chat widget any page embeds (GET /widget.js) and the demo page around it (GET /, with
 * /demo.css): a short page about SOC 1 and SOC 2 with the widget, so `npm start` and a browser
 * show the product. The files are read once, from beside this module (the build copies them).
 */
export function createWebAssets(options: AssetOptions): Router {
  const { advisor } = options;
  // A JavaScript string literal holding the JSON: JSON.stringify twice escapes quotes and line breaks.
  const widget = read('widget.js').replace(
    /(['"])__SOC_ADVISOR_CONFIG__\1/,
    JSON.stringify(widgetConfig(options, advisor)),
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
