import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import twilio from 'twilio';
import type { Logger } from '../../core/logger.js';

interface SignatureOptions {
  authToken: string;
  publicBaseUrl: string;
  logger: Logger;
  what: string;
  fragment?: string;
}

/**
 * Whether `signature` is Twilio's over one of `urls` and `params`. Twilio signs the URL it was
 * given, so one HMAC over the first settles nearly every request; the library's own check (with
 * and without the port, the URL normalized), over each URL, decides the rest.
 */
function isTwilioSignature(
  authToken: string,
  signature: string,
  urls: [string, ...string[]],
  params: Record<string, unknown>,
): boolean {
  const expected = Buffer.from(twilio.getExpectedTwilioSignature(authToken, urls[0], params));
  const given = Buffer.from(signature);
  if (expected.length === given.length && timingSafeEqual(expected, given)) return true;
  return urls.some((url) => twilio.validateRequest(authToken, signature, url, params));
}

/**
 * Checks X-Twilio-Signature, with Twilio's own algorithm, against the public URL the request was
 * sent to: behind a proxy the Host header is not what Twilio signed, so the URL is PUBLIC_BASE_URL
 * + `path` (the request's, query included). On a mismatch it answers 403 with a log line that says
 * what to check, and returns false. Node's own request and response: the webhook's fast path has
 * no express around it.
 *
 * `fragment`: the connection overrides configured after a # on the webhook URL in Twilio (e.g.
 * rc=3&rp=ct,rt,5xx). A fragment never travels in the request, so whether Twilio signed the URL
 * with it or without it cannot be seen here: both are accepted, each still needing the auth token.
 */
export function createTwilioSignatureCheck(
  options: SignatureOptions,
): (req: IncomingMessage, res: ServerResponse, path: string, params: Record<string, unknown>) => boolean {
  const { authToken, publicBaseUrl, logger, what, fragment } = options;
  return (req, res, path, params) => {
    const header = req.headers['x-twilio-signature'];
    const signature = typeof header === 'string' ? header : undefined;
    const url = publicBaseUrl + path;
    if (
      signature &&
      isTwilioSignature(authToken, signature, fragment === undefined ? [url] : [url, `${url}#${fragment}`], params)
    ) {
      return true;
    }
    logger.warn(
      { url, hasSignature: Boolean(signature) },
      `rejected Twilio ${what}: signature missing or wrong; check TWILIO_AUTH_TOKEN and that PUBLIC_BASE_URL + path (${url}) is the URL set in Twilio`,
    );
    const text = 'Forbidden: X-Twilio-Signature is missing or does not match\n';
    res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
    return false;
  };
}

/** The signature check as middleware, after the form parser. */
export function verifyTwilioSignature(options: SignatureOptions): RequestHandler {
  const check = createTwilioSignatureCheck(options);
  return (req, res, next) => {
    if (check(req, res, req.originalUrl, (req.body as Record<string, unknown> | undefined) ?? {})) next();
  };
}
