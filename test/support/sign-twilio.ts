import { createHmac } from 'node:crypto';

/**
 * Twilio's webhook signature, written out from its documentation rather than taken from the
 * SDK, so the server's validation is checked against an independent implementation:
 * base64(HMAC-SHA1(authToken, url + each POST param name and value, sorted by name)).
 */
export function signTwilio(authToken: string, url: string, params: Record<string, string>): string {
  const payload = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(payload, 'utf8').digest('base64');
}
