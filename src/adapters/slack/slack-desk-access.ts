import type { webApi } from '@slack/bolt';
import type { Logger } from '../../core/logger.js';

/** Someone who may act as PJ on the desk (SLACK_ADVISOR_USER_IDS); `team` null: the app's own workspace. */
export interface DeskAdvisor {
  team: string | null;
  user: string;
}

/** Who did something on the desk, and where, as Slack's request says. */
export interface DeskActor {
  user: string;
  /** The user's own workspace; undefined when the request does not say. */
  team: string | undefined;
  /** The channel the click or message came from. */
  channel: string | undefined;
}

/** The outcome: PJ, named as the transcript shows him, or why not. */
export type DeskAccess =
  { ok: true; name: string } | { ok: false; why: 'channel' | 'user' | 'team' | 'workspace unknown' };

/**
 * Decides who may act as PJ on the desk: only in the desk channel, only a listed user of the listed
 * workspace (a bare id: of the workspace the app is installed in, which auth.test names once).
 */
export function createDeskAccess(options: { channel: string; advisors: DeskAdvisor[]; logger: Logger }) {
  const { channel, advisors, logger } = options;
  let home: Promise<string | undefined> | undefined;

  /** The workspace the app is installed in; asked again after a failure. */
  function homeTeam(client: webApi.WebClient): Promise<string | undefined> {
    home ??= client.auth.test().then(
      (result) => result.team_id,
      (error: unknown) => {
        home = undefined;
        logger.error(
          { err: error },
          'auth.test failed: cannot tell which workspace SLACK_ADVISOR_USER_IDS bare ids belong to',
        );
        return undefined;
      },
    );
    return home;
  }

  return {
    async check(actor: DeskActor, client: webApi.WebClient): Promise<DeskAccess> {
      if (actor.channel !== channel) return { ok: false, why: 'channel' };
      const listed = advisors.filter((a) => a.user === actor.user);
      if (listed.length === 0) return { ok: false, why: 'user' };
      const named = listed.find((a) => a.team !== null && a.team === actor.team);
      if (named) return { ok: true, name: `${named.team}:${named.user}` };
      if (!listed.some((a) => a.team === null)) return { ok: false, why: 'team' };
      const own = await homeTeam(client);
      if (own === undefined) return { ok: false, why: 'workspace unknown' };
      return actor.team === own ? { ok: true, name: actor.user } : { ok: false, why: 'team' };
    },
  };
}
