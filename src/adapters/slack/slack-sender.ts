import { webApi } from '@slack/bolt';
import { DeliveryError } from '../../core/delivery-error.js';
import type { ClientSender } from '../../core/ports.js';
import { addressOfKey } from './slack-conversations.js';

// Platform errors Slack documents as passing: trying again later may work.
const TRANSIENT_PLATFORM_ERRORS = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

/**
 * A failed Web API call as a DeliveryError: rate limits, 5xx and network failures are retryable;
 * anything else Slack refused (channel_not_found, not_in_channel, invalid_auth...) is final, with
 * Slack's own error code.
 */
export function toDeliveryError(error: unknown, what: string): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const fail = (retryable: boolean, code: string, detail: string) =>
    new DeliveryError(`${what}: ${detail}`, { retryable, code, cause: error });
  if (error instanceof webApi.WebAPIPlatformError) {
    const code = error.data.error;
    return fail(TRANSIENT_PLATFORM_ERRORS.has(code), code, `Slack refused it (${code})`);
  }
  if (error instanceof webApi.WebAPIRateLimitedError) {
    return fail(true, 'ratelimited', `rate limited, retry after ${error.retryAfter} s`);
  }
  if (error instanceof webApi.WebAPIHTTPError) {
    return fail(error.statusCode >= 500, `http_${error.statusCode}`, `Slack answered HTTP ${error.statusCode}`);
  }
  if (error instanceof webApi.WebAPIRequestError) {
    return fail(true, 'network', `could not reach Slack (${error.original.message})`);
  }
  const message = error instanceof Error ? error.message : String(error);
  // NOTE: after its own retries the WebClient rethrows a 429 as a plain Error naming the rate limit.
  if (/rate limit/i.test(message)) return fail(true, 'ratelimited', message);
  return fail(false, 'unknown', message);
}

/**
 * Escapes what Slack's mrkdwn reads as markup (`<!channel>`, `<@U1>`, links), so the words of a
 * client or of PJ are shown as typed and never ping anyone. Entities already in the text (Slack
 * sends message text escaped) are kept as they are.
 */
export function escapeSlackText(text: string): string {
  return text
    .replace(/&(?!(amp|lt|gt);)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Slack message text as typed: Slack escapes &, < and > in the text of the events it sends. */
export function unescapeSlackText(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The outbox's way to Slack clients: a post in the DM or thread the conversation's key names. */
export function createSlackClientSender(client: webApi.WebClient): ClientSender {
  return {
    async send(conversation, text) {
      const address = addressOfKey(conversation.conversationKey);
      if (address === null) {
        throw new DeliveryError(`not a Slack conversation key: ${conversation.conversationKey}`, {
          retryable: false,
          code: 'bad_key',
        });
      }
      try {
        const result = await client.chat.postMessage({
          channel: address.channel,
          text: escapeSlackText(text),
          ...(address.threadTs !== undefined && { thread_ts: address.threadTs }),
        });
        if (result.ts === undefined) {
          throw new DeliveryError('Slack accepted the message but returned no ts', { retryable: false, code: 'no_ts' });
        }
        return result.ts;
      } catch (error) {
        throw toDeliveryError(error, `posting to Slack ${address.channel}`);
      }
    },
  };
}
