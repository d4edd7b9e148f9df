import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '../../core/logger.js';

/**
 * Whether a request's page may use the chat: a request without an Origin header (a same-origin
 * GET, curl) is not a browser on another site; a page on the bot's own host (the demo page) always
 * may; otherwise its origin must be one of WEB_CHAT_ORIGINS.
 */
export function isAllowedOrigin(req: Request, allowed: ReadonlySet<string>): boolean {
  const origin = req.header('Origin');
  if (origin === undefined) return true;
  if (allowed.has(origin)) return true;
  try {
    return new URL(origin).host === req.header('Host');
  } catch {
    return false;
  }
}

function allowCors(req: Request, res: Response): void {
  const origin = req.header('Origin');
  if (origin === undefined) return;
  res.vary('Origin');
  res.set({ 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': 'Retry-After' });
}

/**
 * CORS for the chat's API: an allowed page's requests (and their preflights) are answered with
 * its origin; any other page's are refused with 403, saying which variable lets it in.
 */
export function webCors(allowed: ReadonlySet<string>, logger: Logger): RequestHandler {
  return (req, res, next) => {
    if (!isAllowedOrigin(req, allowed)) {
      const origin = req.header('Origin') ?? '';
      logger.warn(
        { origin, path: req.path },
        'refused a web chat request from a site not in WEB_CHAT_ORIGINS: add its origin there to allow it',
      );
      res.status(403).json({
        error: 'origin_not_allowed',
        message: `${origin} may not use this chat: the bot's WEB_CHAT_ORIGINS does not list it`,
      });
      return;
    }
    allowCors(req, res);
    if (req.method === 'OPTIONS') {
      res.set({
        'Access-Control-Allow-Methods': 'GET, POST',
        'Access-Control-Allow-Headers': 'Authorization, Content-Type, Last-Event-ID',
        'Access-Control-Max-Age': '600',
      });
      res.status(204).end();
      return;
    }
    next();
  };
}
