import type { Say } from '../../core/conversation-machine.js';
import type { Flow } from '../../core/flow.js';
import type { Awaiting } from '../../core/reading.js';
import {
  fillAdvisor,
  fillCopy,
  isQuestion,
  questionOf,
  sayText,
  verdictParts,
  type Advisor,
} from '../../core/render-reply.js';
import type { WebCard, WebLine } from '../../core/web-chat.js';

type QuestionSay = Extract<Say, { message: 'askProduct' | 'askAsker' | 'reaskProduct' | 'reaskAsker' }>;
type VerdictSay = Extract<Say, { message: 'verdict' }>;

/** A choice button's value: which question it answers and the choice's number, as on Slack. */
export function choiceValue(answers: Awaiting, number: number): string {
  return `${answers}:${number}`;
}

/** A choice the panel sent back, or null when it is not one the bot offers. */
export function parseChoice(value: string): { answers: Awaiting; number: string } | null {
  const match = /^(product|asker):([1-9])$/.exec(value);
  if (match === null) return null;
  return { answers: match[1] === 'product' ? 'product' : 'asker', number: match[2] ?? '' };
}

function questionLine(say: QuestionSay, flow: Flow, advisor: Advisor): WebLine {
  const question = questionOf(say, flow);
  const fill = (text: string) => fillAdvisor(text, advisor);
  const answers: Awaiting = say.message === 'askProduct' || say.message === 'reaskProduct' ? 'product' : 'asker';
  const lead = 'greet' in say && say.greet ? `${flow.greeting} ` : '';
  return {
    text: fill([lead + question.question, question.freeText].filter((part) => part !== undefined).join(' ')),
    choices: question.choices.map((label, i) => ({ label: fill(label), value: choiceValue(answers, i + 1) })),
  };
}

function verdictLine(say: VerdictSay, flow: Flow, advisor: Advisor): WebLine {
  const parts = verdictParts(say, flow, advisor);
  // NOTE: sms: and tel: take the E.164 number; ADVISOR_PHONE is one (config.ts checks).
  const card: WebCard = {
    ...parts,
    links: [
      { label: fillAdvisor(flow.web.textAdvisor, advisor), href: `sms:${advisor.phone}` },
      { label: fillAdvisor(flow.web.callAdvisor, advisor), href: `tel:${advisor.phone}` },
    ],
  };
  return { text: sayText(say, flow, advisor, 'web'), card };
}

function sayLine(say: Say, flow: Flow, advisor: Advisor): WebLine | null {
  // The panel always opens with the greeting (greetingLines), so a reply never repeats it.
  if (say.message === 'greeting') return null;
  if (isQuestion(say)) return questionLine('greet' in say ? { ...say, greet: false } : say, flow, advisor);
  if (say.message === 'verdict') return verdictLine(say, flow, advisor);
  const text = sayText(say, flow, advisor, 'web');
  return text === '' ? null : { text };
}

/**
 * One turn of the bot as the panel's lines, from the same says as SMS and Slack: one line per
 * thing said, a question's choices as buttons, the verdict as a card, never the greeting.
 */
export function renderWebLines(says: Say[], flow: Flow, advisor: Advisor): WebLine[] {
  // Each text is filled where it is placed, so the client's words quoted in it are never read as placeholders.
  return says.map((say) => sayLine(say, flow, advisor)).flatMap((line) => (line === null ? [] : [line]));
}

/** What the panel shows before the visitor writes: the greeting and the first question, never stored. */
export function greetingLines(flow: Flow, advisor: Advisor): WebLine[] {
  return [questionLine({ message: 'askProduct', greet: true, buyer: false }, flow, advisor)];
}

/** The line that offers the contact field, once a conversation is flagged for PJ. */
export function contactOfferLine(flow: Flow, advisor: Advisor): WebLine {
  return { text: fillCopy(flow.web.contactOffer, advisor), askContact: true };
}
