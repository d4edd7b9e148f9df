import { CHANNELS } from './channels.js';
import type { Say } from './conversation-machine.js';
import type { Channel } from './conversation.js';
import type { Flow, Question } from './flow.js';
import { countSegments } from './sms-segments.js';

/** Who the bot hands off to, as the texts name him. */
export interface Advisor {
  name: string;
  /** E.164, e.g. +18584618054. */
  phone: string;
}

/** The verdict with its reason, Type advice and hand-off must fit this many SMS segments. */
const VERDICT_SEGMENTS = 2;

/** +18584618054 reads as 858-461-8054; other numbers stay as given. */
function formatPhone(e164: string): string {
  const us = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return us ? `${us[1]}-${us[2]}-${us[3]}` : e164;
}

/** Fills {name} placeholders from `vars`; unknown ones stay as written. */
export function fillPlaceholders(text: string, vars: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole);
}

/** Fills {advisor} and {phone}. */
export function fillAdvisor(text: string, advisor: Advisor): string {
  return fillPlaceholders(text, { advisor: advisor.name, phone: formatPhone(advisor.phone) });
}

/**
 * Fills {advisor}, {phone} and `vars` in one pass, so words inside `vars` (a client's, PJ's) are
 * never read as placeholders themselves.
 */
export function fillCopy(text: string, advisor: Advisor, vars: Record<string, string> = {}): string {
  return fillPlaceholders(text, { ...vars, advisor: advisor.name, phone: formatPhone(advisor.phone) });
}

type VerdictSay = Extract<Say, { message: 'verdict' }>;
type QuestionSay = Extract<Say, { message: 'askProduct' | 'askAsker' | 'reaskProduct' | 'reaskAsker' }>;

interface VerdictParts {
  headline: string;
  reason: string;
  advice: string[];
  handoff: string;
}

const joined = (parts: VerdictParts): string =>
  [parts.headline, parts.reason, ...parts.advice, parts.handoff].join(' ');

/**
 * The verdict as its parts, filled in: headline, reason in the client's own words, Type advice,
 * hand-off. The optional lines ("both" and "abroad") are dropped when they would push the whole
 * past two SMS segments.
 */
export function verdictParts(say: VerdictSay, flow: Flow, advisor: Advisor): VerdictParts {
  const { verdict } = flow;
  const { advice } = say;
  const buyer = advice.side === 'buyer';
  // One pass: the client's words are never read as placeholders themselves.
  const fill = (text: string): string =>
    fillCopy(text, advisor, { product: advice.product, asker: advice.asker, request: advice.request });
  const parts: VerdictParts = {
    headline: fill((buyer ? verdict.buyerHeadline : verdict.headline)[advice.verdict]),
    reason: fill(verdict.reason[advice.reason]),
    advice: [fill(verdict.types[advice.typeAdvice])],
    handoff: fill(buyer ? verdict.buyerHandoff : verdict.handoff),
  };
  const optional = [
    ...(advice.verdict === 'both' && !buyer ? [fill(verdict.both)] : []),
    ...(say.international ? [fill(verdict.international)] : []),
  ];
  for (const line of optional) {
    const longer = { ...parts, advice: [...parts.advice, line] };
    if (countSegments(joined(longer)).segments <= VERDICT_SEGMENTS) parts.advice = longer.advice;
  }
  return parts;
}

export function isQuestion(say: Say): say is QuestionSay {
  return (
    say.message === 'askProduct' ||
    say.message === 'askAsker' ||
    say.message === 'reaskProduct' ||
    say.message === 'reaskAsker'
  );
}

/** The flow question a question say shows; the buying side is asked about the vendor. */
export function questionOf(say: QuestionSay, flow: Flow): Question {
  if (say.message === 'askProduct' && say.buyer) return flow.askVendor;
  return flow[say.message];
}

/** The question as SMS text: "question 1 a, 2 b, 3 c. free text". */
function questionText(question: Question): string {
  const choices = question.choices.map((choice, i) => `${i + 1} ${choice}`).join(', ');
  return [question.question, `${choices}.`, question.freeText].filter((p) => p !== undefined).join(' ');
}

/** HELP says how to stop, and "stop" means what the channel makes it mean. */
function helpText(flow: Flow, channel: Channel): string {
  const { stop } = CHANNELS[channel];
  switch (stop) {
    case 'optOut':
      return flow.help;
    case 'end':
      return flow.slackHelp;
    default: {
      const _never: never = stop;
      return _never;
    }
  }
}

/**
 * One say as plain text, as SMS shows it (and Slack's notification fallback), every placeholder
 * filled: the client's own words in it are filled in the same pass, never read as placeholders.
 */
export function sayText(say: Say, flow: Flow, advisor: Advisor, channel: Channel): string {
  if (say.message === 'verdict') return joined(verdictParts(say, flow, advisor));
  if (say.message === 'conflict') return fillCopy(flow.conflict, advisor, { product: say.product });
  return fillAdvisor(flowText(say, flow, channel), advisor);
}

/** A say that holds nothing of the client's, as written in the flow. */
function flowText(say: Exclude<Say, { message: 'verdict' | 'conflict' }>, flow: Flow, channel: Channel): string {
  switch (say.message) {
    case 'askProduct':
    case 'askAsker':
    case 'reaskProduct':
    case 'reaskAsker': {
      const text = questionText(questionOf(say, flow));
      return 'greet' in say && say.greet ? `${flow.greeting} ${text}` : text;
    }
    case 'pending':
      return flow.pending[say.question === 'asker' ? 'asker' : say.buyer ? 'vendor' : 'product'];
    case 'topics':
      return say.topics
        .map((topic) => flow.answers[topic] ?? '')
        .filter((text) => text !== '')
        .join(' ');
    case 'help':
      return helpText(flow, channel);
    case 'mediaAck':
      return flow.mediaAck[say.kind];
    default:
      return flow[say.message];
  }
}

/**
 * The words for one turn. Everything the bot says in a turn goes out as one text: two short
 * SMS cost more segments than one that holds both.
 */
export function renderReply(says: Say[], flow: Flow, advisor: Advisor, channel: Channel): string | null {
  const text = says
    .map((say) => sayText(say, flow, advisor, channel))
    .filter((t) => t !== '')
    .join(' ');
  return text === '' ? null : text;
}
