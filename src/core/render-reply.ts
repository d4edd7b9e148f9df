import type { Say } from './conversation-machine.js';
import type { Flow } from './flow.js';

/** Who the bot hands off to, as the texts name him. */
export interface Advisor {
  name: string;
  /** E.164, e.g. +18584618054. */
  phone: string;
}

/** +18584618054 reads as 858-461-8054; other numbers stay as given. */
export function formatPhone(e164: string): string {
  const us = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return us ? `${us[1]}-${us[2]}-${us[3]}` : e164;
}

function fill(text: string, vars: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole);
}

function renderSay(say: Say, flow: Flow): string {
  switch (say.message) {
    case 'askProduct':
    case 'askAsker':
      return say.greet ? `${flow.greeting} ${flow[say.message]}` : flow[say.message];
    case 'verdict': {
      const { verdict } = flow;
      const parts = [
        verdict.headline[say.advice.verdict],
        fill(verdict.reason[say.advice.reason], { product: say.advice.product, asker: say.advice.asker ?? '' }),
        verdict.types,
        say.advice.verdict === 'both' ? verdict.both : null,
        say.international ? verdict.international : null,
        verdict.handoff,
      ];
      return parts.filter((p) => p !== null).join(' ');
    }
    default:
      return flow[say.message];
  }
}

/**
 * The words for one turn. Everything the bot says in a turn goes out as one text: two short
 * SMS cost more segments than one that holds both.
 */
export function renderReply(says: Say[], flow: Flow, advisor: Advisor): string | null {
  if (says.length === 0) return null;
  const text = says.map((say) => renderSay(say, flow)).join(' ');
  return fill(text, { advisor: advisor.name, phone: formatPhone(advisor.phone) });
}
