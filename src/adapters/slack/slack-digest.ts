import type { webApi } from '@slack/bolt';
import type { DigestSender } from '../../core/ports.js';
import { escapeSlackText, toDeliveryError } from './slack-sender.js';

/** Posts PJ's daily digest to `channel` (the handoff channel) as a message of its own, not in a thread. */
export function createSlackDigestSender(client: webApi.WebClient, channel: string): DigestSender {
  return {
    async send(text) {
      try {
        const posted = await client.chat.postMessage({ channel, text: escapeSlackText(text) });
        return posted.ts ?? '';
      } catch (error) {
        throw toDeliveryError(error, 'chat.postMessage (daily digest)');
      }
    },
  };
}
