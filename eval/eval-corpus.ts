import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { createLanguageDetector } from '../src/adapters/flow-files/detect-language.js';
import { loadFlows } from '../src/adapters/flow-files/load-flows.js';
import { decideInbound } from '../src/app/decide-inbound.js';
import type { BotSettings } from '../src/core/bot-settings.js';
import type { ConversationSummary } from '../src/core/conversation.js';
import { LANGUAGES, type Language } from '../src/core/languages.js';
import type { SavedConversation } from '../src/core/ports.js';
import { countSegments } from '../src/core/sms-segments.js';

/** One labelled conversation: what the client writes, and what PJ's page says the outcome is. */
const EvalCaseSchema = z.strictObject({
  id: z.string().min(1),
  messages: z.array(z.string().min(1)).min(1),
  label: z.enum(['soc1', 'soc2', 'both', 'flagged']),
  side: z.literal('buyer').optional(),
  /** The language the bot should end up speaking; English when not given. */
  language: z.enum(LANGUAGES).optional(),
  note: z.string().optional(),
});
export type EvalCase = z.infer<typeof EvalCaseSchema>;
export type Label = EvalCase['label'] | 'none' | 'opted_out';

interface Turn {
  text: string;
  reply: string | null;
}

export interface EvalResult {
  case: EvalCase;
  got: Label;
  side: 'client' | 'buyer';
  /** The language the conversation ended in. */
  language: Language;
  ok: boolean;
  turns: Turn[];
  /** SMS segments the bot sent up to and including its first verdict, or null without one. */
  segmentsToVerdict: number | null;
  /** Messages that asked or told the bot something and got no reply while no person had it. */
  silences: number;
}

export function loadCorpus(path: string): EvalCase[] {
  const cases = z.array(EvalCaseSchema).parse(parse(readFileSync(path, 'utf8')));
  const ids = new Set<string>();
  for (const c of cases) {
    if (ids.has(c.id)) throw new Error(`${path}: duplicate id ${c.id}`);
    ids.add(c.id);
  }
  return cases;
}

const sameTexts = (c: EvalCase): string => JSON.stringify(c.messages.map((m) => m.trim().toLowerCase()));

/**
 * The corpus with PJ's reviews in it: a case whose texts a review also holds is left out, so PJ's
 * label wins; returns the ids left out.
 */
export function withReviews(corpus: EvalCase[], reviews: EvalCase[]): { cases: EvalCase[]; replaced: string[] } {
  const reviewed = new Set(reviews.map(sameTexts));
  const replaced = corpus.filter((c) => reviewed.has(sameTexts(c))).map((c) => c.id);
  return { cases: corpus.filter((c) => !reviewed.has(sameTexts(c))), replaced };
}

export function evalSettings(): BotSettings {
  const { flow, lexicon, translations } = loadFlows();
  return {
    flow,
    lexicon,
    translations,
    detectLanguage: createLanguageDetector(),
    advisor: { name: 'PJ', phone: '+18584618054' },
    botAnswersKeywords: false,
    handoff: { notifySms: null, desk: false, idleMs: 240 * 60_000, remindMs: 30 * 60_000 },
  };
}

function labelOf(summary: ConversationSummary): Label {
  if (summary.status === 'opted_out') return 'opted_out';
  if (summary.verdict !== null) return summary.verdict;
  return summary.flags.length > 0 || summary.status === 'waiting' ? 'flagged' : 'none';
}

/** Runs one case through the real decision path (lexicon, machine, renderer), as SMS. */
export function runCase(settings: BotSettings, c: EvalCase): EvalResult {
  let saved: SavedConversation | null = null;
  let summary: ConversationSummary | null = null;
  let language: Language = 'en';
  let segments = 0;
  let segmentsToVerdict: number | null = null;
  let silences = 0;
  const turns: Turn[] = [];
  c.messages.forEach((text, i) => {
    const decision = decideInbound(
      settings,
      {
        channel: 'sms',
        participant: '+15555550100',
        conversationKey: '+15555550100',
        provider: 'eval',
        externalId: `${c.id}-${i}`,
        text,
        receivedAt: 1_800_000_000_000 + i * 60_000,
      },
      saved,
    );
    saved = { id: 1, machineVersion: decision.machineVersion, snapshot: decision.snapshot };
    const reply = decision.replies[0] ?? null;
    language = decision.language;
    turns.push({ text, reply });
    if (reply !== null) segments += countSegments(reply).segments;
    const before = summary;
    summary = decision.summary;
    if (segmentsToVerdict === null && summary.verdict !== null) segmentsToVerdict = segments;
    if (reply === null && summary.status !== 'human' && summary.status !== 'opted_out' && before?.status !== 'waiting')
      silences++;
  });
  const final = summary as ConversationSummary | null;
  const got = final ? labelOf(final) : 'none';
  const side = final?.side ?? 'client';
  return {
    case: c,
    got,
    side,
    language,
    ok: got === c.label && side === (c.side ?? 'client') && language === (c.language ?? 'en'),
    turns,
    segmentsToVerdict,
    silences,
  };
}
