import type { Say } from './conversation-machine.js';
import type { Channel } from './conversation.js';
import type { Flow, Question } from './flow.js';

/** Who the bot hands off to, as the texts name him. */
export interface Advisor {
  name: string;
  /** E.164, e.g. +18584618054. */
  phone: string;
}

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

type VerdictSay = Extract<Say, { message: 'verdict' }>;
type QuestionSay = Extract<Say, { message: 'askProduct' | 'askAsker' | 'reaskProduct' | 'reaskAsker' }>;

/** The verdict as its parts: headline, reason from the user's own terms, advice lines, hand-off. */
export function verdictParts(say: VerdictSay, flow: Flow): { headline: string; reason: string; advice: string[]; handoff: string } {
  const { verdict } = flow;
  const advice = [verdict.types];
  if (say.advice.verdict === 'both') advice.push(verdict.both);
  if (say.international) advice.push(verdict.international);
  return {
    headline: verdict.headline[say.advice.verdict],
    reason: fillPlaceholders(verdict.reason[say.advice.reason], { product: say.advice.product, asker: say.advice.asker ?? '' }),
    advice,
    handoff: verdict.handoff,
  };
}

export function isQuestion(say: Say): say is QuestionSay {
  return say.message === 'askProduct' || say.message === 'askAsker' || say.message === 'reaskProduct' || say.message === 'reaskAsker';
}

/** The question as SMS text: "question 1 a, 2 b, 3 c. free text". */
export function questionText(question: Question): string {
  const choices = question.choices.map((choice, i) => `${i + 1} ${choice}`).join(', ');
  return [question.question, `${choices}.`, question.freeText].filter((p) => p !== undefined).join(' ');
}

/** One say as plain text, as SMS shows it (and Slack's notification fallback). */
export function sayText(say: Say, flow: Flow, channel: Channel = 'sms'): string {
  if (isQuestion(say)) {
    const text = questionText(flow[say.message]);
    return 'greet' in say && say.greet ? `${flow.greeting} ${text}` : text;
  }
  if (say.message === 'verdict') {
    const parts = verdictParts(say, flow);
    return [parts.headline, parts.reason, ...parts.advice, parts.handoff].join(' ');
  }
  if (say.message === 'help' && channel === 'slack') return flow.slackHelp;
  return flow[say.message];
}

/**
 * The words for one turn. Everything the bot says in a turn goes out as one text: two short
 * SMS cost more segments than one that holds both.
 */
export function renderReply(says: Say[], flow: Flow, advisor: Advisor, channel: Channel = 'sms'): string | null {
  if (says.length === 0) return null;
  return fillAdvisor(says.map((say) => sayText(say, flow, channel)).join(' '), advisor);
}
