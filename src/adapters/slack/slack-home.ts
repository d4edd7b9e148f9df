import type { types } from '@slack/bolt';
import type { Flow } from '../../core/flow.js';
import { fillAdvisor, type Advisor } from '../../core/render-reply.js';
import { ACTION } from './slack-blocks.js';

/** The App Home tab: what the bot does, a Start button, and the advisor's contact. */
export function homeView(flow: Flow, advisor: Advisor): types.HomeView {
  const home = flow.slackHome;
  return {
    type: 'home',
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: fillAdvisor(home.about, advisor) } },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: ACTION.start,
            style: 'primary',
            text: { type: 'plain_text', text: fillAdvisor(home.start, advisor) },
            value: 'start',
          },
        ],
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: fillAdvisor(home.contact, advisor) }] },
    ],
  };
}
