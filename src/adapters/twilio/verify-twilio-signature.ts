import type { RequestHandler } from 'express';
import twilio from 'twilio';
import type { Logger } from '../../core/logger.js';

/**
 * Lets a request through only when X-Twilio-Signature matches, with Twilio's own algorithm, the
 * public URL it was sent to: behind a proxy the Host header is not what Twilio signed, so the URL
 * is PUBLIC_BASE_URL + path. Runs after the form parser. 403 and a log line that says what to check.
 *
 * `fragment`: the connection overrides configured after a # on the webhook URL in Twilio (e.g.
 * rc=3&rp=ct,rt,5xx). A fragment never travels in the request, so whether Twilio signed the URL
 * with it or without it cannot be seen here: both are accepted, each still needing the auth token.
 */
export function verifyTwilioSignature(options: {
  authToken: string;
  publicBaseUrl: string;
  logger: Logger;
  what: string;
  fragment?: string;
}): RequestHandler {
  const { authToken, publicBaseUrl, logger, what, fragment } = options;
  return (req, res, next) => {
    const signature = req.header('X-Twilio-Signature');
    const url = publicBaseUrl + req.originalUrl;
    const signed = fragment === undefined ? [url] : [url, `${url}#${fragment}`];
    if (
      signature &&
      signed.some((candidate) => twilio.validateRequest(authToken, signature, candidate, req.body ?? {}))
    )
      return next();
    logger.warn(
      { url, hasSignature: Boolean(signature) },
      `rejected Twilio ${what}: signature missing or wrong; check TWILIO_AUTH_TOKEN and that PUBLIC_BASE_URL + path (${url}) is the URL set in Twilio`,
    );
    res.status(403).type('text/plain').send('Forbidden: X-Twilio-Signature is missing or does not match\n');
  };
}
