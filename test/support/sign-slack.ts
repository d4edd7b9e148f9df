import { createHmac } from 'node:crypto';

/**
 * Slack's request signature, from its documentation: "v0=" + hex HMAC-SHA256 of
 * "v0:<timestamp>:<raw body>" with the signing secret.
 */
export function signSlack(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}
