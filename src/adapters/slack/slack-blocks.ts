import type { types } from '@slack/bolt';
import { escapeSlackText } from './slack-sender.js';
import type { Say } from '../../core/conversation-machine.js';
import type { Flow } from '../../core/flow.js';
import {
  fillAdvisor,
  isQuestion,
  questionOf,
  renderReply,
  sayText,
  verdictParts,
  type Advisor,
} from '../../core/render-reply.js';

type Block = types.KnownBlock;

/** Action ids the app listens for. */
export const ACTION = {
  choice: 'soc_choice',
  talkToAdvisor: 'soc_talk_to_advisor',
  start: 'soc_start',
} as const;

/** A Slack message: blocks for people, text for notifications and screen readers. */
interface SlackMessage {
  text: string;
  blocks: Block[];
}

const section = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text } });

function questionBlocks(
  say: Extract<Say, { message: 'askProduct' | 'askAsker' | 'reaskProduct' | 'reaskAsker' }>,
  flow: Flow,
  advisor: Advisor,
): Block[] {
  const question = questionOf(say, flow);
  const fill = (text: string) => fillAdvisor(text, advisor);
  const answers = say.message === 'askProduct' || say.message === 'reaskProduct' ? 'product' : 'asker';
  const lead = 'greet' in say && say.greet ? `${flow.greeting} ` : '';
  const blocks: Block[] = [
    section(escapeSlackText(fill(lead + question.question))),
    {
      type: 'actions',
      elements: question.choices.map((choice, i) => ({
        type: 'button' as const,
        action_id: `${ACTION.choice}_${i + 1}`,
        text: { type: 'plain_text' as const, text: fill(choice).slice(0, 75) },
        value: `${answers}:${i + 1}`,
      })),
    },
  ];
  if (question.freeText)
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: escapeSlackText(fill(question.freeText)) }] });
  return blocks;
}

function verdictBlocks(say: Extract<Say, { message: 'verdict' }>, flow: Flow, advisor: Advisor): Block[] {
  const parts = verdictParts(say, flow, advisor);
  return [
    section(`*${escapeSlackText(parts.headline)}* ${escapeSlackText(parts.reason)}`),
    section(parts.advice.map(escapeSlackText).join('\n')),
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ACTION.talkToAdvisor,
          style: 'primary',
          text: { type: 'plain_text', text: fillAdvisor(flow.talkToAdvisor, advisor) },
          value: 'talk',
        },
      ],
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: escapeSlackText(parts.handoff) }] },
  ];
}

function sayBlocks(say: Say, flow: Flow, advisor: Advisor): Block[] {
  if (isQuestion(say)) return questionBlocks(say, flow, advisor);
  if (say.message === 'verdict') return verdictBlocks(say, flow, advisor);
  const text = sayText(say, flow, advisor, 'slack');
  return text === '' ? [] : [section(escapeSlackText(text))];
}

/** One turn of the bot as a Slack message: choices become buttons, the verdict a compact card. */
export function renderSlackMessage(says: Say[], flow: Flow, advisor: Advisor): SlackMessage | null {
  const text = renderReply(says, flow, advisor, 'slack');
  if (text === null) return null;
  // Each text is filled where it is placed, so the client's words quoted in it are never read as placeholders.
  return { text, blocks: says.flatMap((say) => sayBlocks(say, flow, advisor)) };
}
