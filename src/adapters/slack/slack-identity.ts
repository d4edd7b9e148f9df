import type { AuthorizeResult, webApi } from '@slack/bolt';
import type { Logger } from '../../core/logger.js';

/** Who the bot is on Slack, as auth.test names it: Bolt's authorize, and whether it is known yet. */
export interface SlackIdentity {
  /** Bolt's `authorize`: the token and the bot's ids; asks auth.test while they are not known. */
  authorize(): Promise<AuthorizeResult>;
  /** True once the ids are known; until then, auth.test asked once more: whether they are known now. */
  ready(): boolean | Promise<boolean>;
}

/**
 * The bot's identity, asked of auth.test as the app starts, kept once it answers, and asked again
 * whenever it is needed and not known. Bolt's own single-token authorize asks auth.test in the App's
 * constructor and keeps that promise: if Slack cannot be reached then, nothing handles the rejection
 * (Node ends the process about 20 s after start, SMS and all) and every later event fails on the
 * same kept rejection.
 */
export function createSlackIdentity(options: {
  botToken: string;
  client: webApi.WebClient;
  logger: Logger;
}): SlackIdentity {
  let known: AuthorizeResult | null = null;
  let asking: Promise<AuthorizeResult> | null = null;

  function ask(): Promise<AuthorizeResult> {
    asking ??= options.client.auth
      .test({ token: options.botToken })
      .then((result) => {
        known = { botToken: options.botToken, botId: result.bot_id, botUserId: result.user_id };
        return known;
      })
      .catch((error: unknown) => {
        options.logger.warn(
          { err: error },
          "Slack's auth.test failed: the bot's identity is asked again at the next Slack request; check SLACK_BOT_TOKEN and that Slack (SLACK_API_URL) can be reached",
        );
        throw error;
      })
      .finally(() => {
        asking = null;
      });
    return asking;
  }

  // Asked at once, so the first event need not wait for it; a failure is logged and asked again later.
  ask().catch(() => undefined);
  return {
    authorize: () => (known === null ? ask() : Promise.resolve(known)),
    ready: () =>
      known !== null ||
      ask().then(
        () => true,
        () => false,
      ),
  };
}
