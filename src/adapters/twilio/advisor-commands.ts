import type { ConversationRecord } from '../../core/conversation.js';
import type { AdvisorActions, AdvisorResult } from '../../core/driving-ports.js';
import type { Flow } from '../../core/flow.js';
import { maskParticipant } from '../../core/mask-participant.js';
import type { ConversationStore } from '../../core/ports.js';
import { renderRefusal } from '../../core/render-refusal.js';
import { fillCopy, fillPlaceholders, type Advisor } from '../../core/render-reply.js';
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

function listItem(c: ConversationRecord, deps: AdvisorCommandDeps): string {
  const t = deps.flow.advisor.commands;
  const vars = {
    id: String(c.id),
    where: c.status === 'human' ? t.withYou : t.waiting,
    reasons: c.flags.join(', '),
    sender: maskParticipant(c.participant),
  };
  return fillCopy(c.flags.length > 0 ? t.listItemFlagged : t.listItem, deps.advisor, vars);
}

async function list(deps: AdvisorCommandDeps): Promise<string> {
  const t = deps.flow.advisor.commands;
  const [waiting, human] = await Promise.all([
    deps.store.list({ status: 'waiting' }),
    deps.store.list({ status: 'human' }),
  ]);
  // Each list is newest first (last change); merged the same way.
  const all = [...waiting, ...human].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || b.id - a.id);
  if (all.length === 0) return fillCopy(t.listEmpty, deps.advisor);
  const shown = all.slice(0, LIST_LIMIT).map((c) => listItem(c, deps));
  if (all.length > LIST_LIMIT) shown.push(fillCopy(t.more, deps.advisor, { count: String(all.length - LIST_LIMIT) }));
  return fillCopy(t.list, deps.advisor, { items: shown.join('; ') });
}

/** One of PJ's command answers about conversation `id`. */
function answer(text: string, id: number, deps: AdvisorCommandDeps): string {
  return fillCopy(text, deps.advisor, { id: String(id) });
}

/** Runs one command as PJ on his phone ('sms') and returns the one-line answer to text him back. */
export async function runAdvisorCommand(command: AdvisorCommand, deps: AdvisorCommandDeps): Promise<string> {
  const t = deps.flow.advisor.commands;
  const refused = (result: Extract<AdvisorResult, { ok: false }>, id: number) =>
    renderRefusal(result.error, id, deps.flow, deps.advisor);
  switch (command.kind) {
    case 'usage':
      return gsm(fillCopy(t.usage, deps.advisor, { id: 'N' }));
    case 'list':
      return gsm(await list(deps));
    case 'reply': {
      const result = await deps.actions.reply(command.id, command.text, 'sms');
      return gsm(result.ok ? answer(t.sent, command.id, deps) : refused(result, command.id));
    }
    case 'back': {
      const result = await deps.actions.release(command.id, 'sms');
      return gsm(result.ok ? answer(t.handedBack, command.id, deps) : refused(result, command.id));
    }
    case 'close': {
      const result = await deps.actions.close(command.id, 'sms');
      if (!result.ok) return gsm(refused(result, command.id));
      return gsm(answer(result.changed ? t.closed : t.alreadyClosed, command.id, deps));
    }
  }
}

/**
 * What a text that ran nothing (no PIN, a wrong one) asked for, as PJ would have typed it, and the
 * conversation it named: never its words.
 */
export function describeAdvisorCommand(
  command: AdvisorCommand,
  flow: Flow,
): { conversationId: number | null; command: string } {
  const asked = flow.advisor.commands.asked;
  if (command.kind === 'list' || command.kind === 'usage')
    return { conversationId: null, command: asked[command.kind] };
  return { conversationId: command.id, command: fillPlaceholders(asked[command.kind], { id: String(command.id) }) };
}

/** PJ's text in, the answer to text him back out: what the Twilio router's `advisor.run` takes. */
export function createAdvisorCommandRunner(deps: AdvisorCommandDeps): (text: string) => Promise<string> {
  return (text) => runAdvisorCommand(parseAdvisorCommand(text), deps);
}
