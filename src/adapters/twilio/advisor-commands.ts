import type { ConversationRecord } from '../../core/conversation.js';
import type { AdvisorActions, AdvisorResult } from '../../core/driving-ports.js';
import type { Flow } from '../../core/flow.js';
import { maskParticipant } from '../../core/mask-participant.js';
import type { ConversationStore } from '../../core/ports.js';
import { fillConversation } from '../../core/render-notice.js';
import { fillAdvisor, fillPlaceholders, type Advisor } from '../../core/render-reply.js';
import { findNonGsmCharacters } from '../../core/sms-segments.js';

/** What PJ asked for by texting the bot's number from his own (ADVISOR_NOTIFY_SMS). */
export type AdvisorCommand =
  | { kind: 'list' }
  | { kind: 'reply'; id: number; text: string }
  | { kind: 'back'; id: number }
  | { kind: 'close'; id: number }
  | { kind: 'usage' };

export interface AdvisorCommandDeps {
  store: Pick<ConversationStore, 'list'>;
  actions: AdvisorActions;
  flow: Flow;
  advisor: Advisor;
}

// "42 <text>", "#42 <text>", "42: <text>"; the text may span lines.
const ADDRESSED = /^#?(\d{1,9}):?(?:\s+([\s\S]*))?$/;
/** The list reply stays within about two SMS segments. */
const LIST_LIMIT = 8;

/** Reads one text from PJ's phone. Anything it does not understand is `usage`. */
export function parseAdvisorCommand(text: string): AdvisorCommand {
  const trimmed = text.trim();
  if (/^list$/i.test(trimmed)) return { kind: 'list' };
  const match = ADDRESSED.exec(trimmed);
  const rest = match?.[2]?.trim() ?? '';
  if (!match || rest === '') return { kind: 'usage' };
  const id = Number(match[1]);
  if (/^back$/i.test(rest)) return { kind: 'back', id };
  if (/^close$/i.test(rest)) return { kind: 'close', id };
  return { kind: 'reply', id, text: rest };
}

/** Keeps a reply to PJ in GSM-7 whatever a stored value holds: one odd character makes it UCS-2. */
function gsm(text: string): string {
  const bad = new Set(findNonGsmCharacters(text));
  return bad.size === 0 ? text : [...text].map((c) => (bad.has(c) ? '?' : c)).join('');
}

function listItem(c: ConversationRecord): string {
  const reasons = c.flags.length > 0 ? ` (${c.flags.join(', ')})` : '';
  const where = c.status === 'human' ? 'with you' : 'waiting';
  return `#${c.id} ${where}${reasons} ${maskParticipant(c.participant)}`;
}

async function list(deps: AdvisorCommandDeps): Promise<string> {
  const [waiting, human] = await Promise.all([deps.store.list({ status: 'waiting' }), deps.store.list({ status: 'human' })]);
  // Each list is newest first (last change); merged the same way.
  const all = [...waiting, ...human].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || b.id - a.id);
  if (all.length === 0) return fillAdvisor(deps.flow.advisor.listEmpty, deps.advisor);
  const shown = all.slice(0, LIST_LIMIT).map(listItem);
  if (all.length > LIST_LIMIT) shown.push(`and ${all.length - LIST_LIMIT} more`);
  return fillAdvisor(fillPlaceholders(deps.flow.advisor.list, { items: shown.join('; ') }), deps.advisor);
}

function usage(deps: AdvisorCommandDeps): string {
  return fillAdvisor(fillPlaceholders(deps.flow.advisor.usage, { id: 'N' }), deps.advisor);
}

/** What PJ reads when an action was refused. */
function refusal(result: Exclude<AdvisorResult, { ok: true }>, id: number, deps: AdvisorCommandDeps): string {
  switch (result.error) {
    case 'not_found':
      return fillAdvisor(fillPlaceholders(deps.flow.advisor.notFound, { id: String(id) }), deps.advisor);
    case 'opted_out':
      return result.record
        ? fillConversation(deps.flow.advisor.optedOut, result.record, deps.advisor)
        : `#${id} opted out. Nothing more can be sent to them.`;
    case 'closed':
      return `#${id} is closed. Nothing was sent.`;
    case 'not_with_advisor':
      return `#${id} is already with the bot.`;
    case 'empty':
      return usage(deps);
  }
}

/** Runs one command as PJ on his phone ('sms') and returns the one-line answer to text him back. */
export async function runAdvisorCommand(command: AdvisorCommand, deps: AdvisorCommandDeps): Promise<string> {
  switch (command.kind) {
    case 'usage':
      return gsm(usage(deps));
    case 'list':
      return gsm(await list(deps));
    case 'reply': {
      const result = await deps.actions.reply(command.id, command.text, 'sms');
      return gsm(result.ok ? `Sent to #${command.id}.` : refusal(result, command.id, deps));
    }
    case 'back': {
      const result = await deps.actions.release(command.id, 'sms');
      return gsm(result.ok ? `#${command.id} handed back.` : refusal(result, command.id, deps));
    }
    case 'close': {
      const result = await deps.actions.close(command.id, 'sms');
      if (!result.ok) return gsm(refusal(result, command.id, deps));
      return result.changed ? `#${command.id} closed.` : `#${command.id} was already closed.`;
    }
  }
}

/** PJ's text in, the answer to text him back out: what the Twilio router's `advisor.run` takes. */
export function createAdvisorCommandRunner(deps: AdvisorCommandDeps): (text: string) => Promise<string> {
  return (text) => runAdvisorCommand(parseAdvisorCommand(text), deps);
}
