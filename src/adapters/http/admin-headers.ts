import type { RequestHandler } from 'express';

/** A year, as HSTS preload lists ask; the bot's host only (its subdomains are not its to speak for). */
const HSTS = 'max-age=31536000';

/**
 * Headers on every response under /admin (the console's files and the API, refusals included):
 * nothing is cached (the JSON holds phone numbers and transcripts), nothing is sniffed as another
 * type, no Referer leaves the page, and with an https PUBLIC_BASE_URL browsers keep to HTTPS.
 */
export function adminHeaders(options: { hsts: boolean }): RequestHandler {
  const headers: Record<string, string> = {
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    ...(options.hsts && { 'Strict-Transport-Security': HSTS }),
  };
  return (_req, res, next) => {
    res.set(headers);
    next();
  };
}
