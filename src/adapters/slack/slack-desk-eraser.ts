import { webApi } from '@slack/bolt';
import type { DeleteDeskMessage } from '../../core/retention.js';
import { toDeliveryError } from './slack-sender.js';

/**
 * Deletes the bot's own messages in PJ's desk with chat.delete (the bot token's chat:write
 * allows it for the bot's messages only; PJ's replies in the thread are his to delete). A
 * message already gone counts as deleted.
 */
export function createSlackDeskEraser(client: webApi.WebClient): DeleteDeskMessage {
  return async ({ channel, ts }) => {
    try {
      await client.chat.delete({ channel, ts });
    } catch (error) {
      if (error instanceof webApi.WebAPIPlatformError && error.data.error === 'message_not_found') return;
      throw toDeliveryError(error, `deleting message ${ts} in the handoff channel ${channel}`);
    }
  };
}
