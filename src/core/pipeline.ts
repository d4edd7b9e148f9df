import type { ReasonKey, Side, Verdict } from './advise.js';
import type { Day } from './calendar.js';
import type { Channel, FlagReason, Status } from './conversation.js';
import type { Awaiting } from './reading.js';

/** A verdict as PJ labels it (the eval corpus's labels): a report, or "needs a person". */
export type ReviewLabel = Verdict | 'flagged';

export const REVIEW_LABELS = ['soc1', 'soc2', 'both', 'flagged'] as const satisfies readonly ReviewLabel[];

export const FLAG_REASONS = [
  'human',
  'cost',
  'unclear',
  'both',
  'conflict',
  'followup',
] as const satisfies readonly FlagReason[];

/**
 * Why the bot gave its verdict: the reason line, the concepts it recognised in the client's words
 * ("product.financial:payroll"), and the version of the rules (flows/ and the advice code) that
 * produced it, null when the bot that decided did not know it.
 */
export interface VerdictBasis {
  /** A reason line of the advice rule, or `conflict` (a SOC 1 asked for a service that plainly is not financial). */
  reason: ReasonKey | 'conflict';
  concepts: string[];
  rulesVersion: string | null;
}

/** PJ's review of a conversation's verdict: the one he would have given, with a note. */
export interface VerdictReview {
  verdict: ReviewLabel;
  note: string;
  /** Epoch ms. */
  at: number;
  /** What the bot had said when PJ reviewed it ("none": no verdict and no flag yet). */
  botLabel: ReviewLabel | 'none';
  /** The rules that produced the bot's verdict, as stored with it. */
  rulesVersion: string | null;
}

/** What PJ says in a review; the store adds what the bot had said. */
export type ReviewDraft = Pick<VerdictReview, 'verdict' | 'note' | 'at'>;

/** The review kept for `draft` on `row` as it stands. */
export function completeReview(
  row: Pick<PipelineRow, 'verdict' | 'flags' | 'status' | 'basis'>,
  draft: ReviewDraft,
): VerdictReview {
  return { ...draft, botLabel: botLabelOf(row), rulesVersion: row.basis?.rulesVersion ?? null };
}

/** One conversation as the pipeline counts it; times are epoch ms. */
export interface PipelineRow {
  id: number;
  channel: Channel;
  participant: string;
  status: Status;
  awaiting: Awaiting | null;
  answers: { product: string | null; asker: string | null };
  verdict: Verdict | null;
  side: Side;
  flags: FlagReason[];
  createdAt: number;
  updatedAt: number;
  /** When it was first flagged for PJ, or null. */
  flaggedAt: number | null;
  /** When PJ first wrote to the client, or null. */
  advisorRepliedAt: number | null;
  basis: VerdictBasis | null;
  review: VerdictReview | null;
}

/** The bot's own label for a conversation, as the eval corpus labels outcomes. */
function botLabelOf(row: Pick<PipelineRow, 'verdict' | 'flags' | 'status'>): ReviewLabel | 'none' {
  if (row.verdict !== null) return row.verdict;
  return row.flags.length > 0 || row.status === 'waiting' ? 'flagged' : 'none';
}

export interface PipelineStats {
  funnel: {
    started: number;
    product: number;
    asker: number;
    verdict: number;
    flagged: number;
    advisorReplied: number;
    closed: number;
  };
  verdicts: Record<Verdict, number>;
  flags: Record<FlagReason, number>;
  /** Conversations still waiting on that question's answer a day after it was asked. */
  dropOff: Record<Awaiting, number>;
  medianMinutesToAdvisorReply: number | null;
  days: Array<{ date: Day; started: number; verdict: number; flagged: number }>;
}

/** A question unanswered this long is a drop-off. */
const DROP_OFF_MS = 24 * 60 * 60_000;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Index of the last day starting at or before `at` (days ascending by start), or -1. */
function dayIndex(starts: number[], at: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((starts[mid] ?? Infinity) <= at) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * Counts the conversations created in a period: `rows` are those conversations, `days` the
 * period's days with their first instants, ascending. A question still awaited and unchanged
 * for DROP_OFF_MS before `now` is a drop-off.
 */
export function countPipeline(
  rows: readonly PipelineRow[],
  days: ReadonlyArray<{ date: Day; start: number }>,
  now: number,
): PipelineStats {
  const funnel = { started: 0, product: 0, asker: 0, verdict: 0, flagged: 0, advisorReplied: 0, closed: 0 };
  const verdicts: Record<Verdict, number> = { soc1: 0, soc2: 0, both: 0 };
  const flags = Object.fromEntries(FLAG_REASONS.map((reason) => [reason, 0])) as Record<FlagReason, number>;
  const dropOff: Record<Awaiting, number> = { product: 0, asker: 0 };
  const perDay = days.map(({ date }) => ({ date, started: 0, verdict: 0, flagged: 0 }));
  const starts = days.map((d) => d.start);
  const waits: number[] = [];
  for (const row of rows) {
    funnel.started++;
    if (row.answers.product !== null) funnel.product++;
    if (row.answers.asker !== null) funnel.asker++;
    if (row.verdict !== null) {
      funnel.verdict++;
      verdicts[row.verdict]++;
    }
    if (row.flags.length > 0) funnel.flagged++;
    for (const reason of row.flags) flags[reason]++;
    if (row.advisorRepliedAt !== null) funnel.advisorReplied++;
    if (row.status === 'closed') funnel.closed++;
    if (row.status === 'bot' && row.awaiting !== null && now - row.updatedAt >= DROP_OFF_MS) dropOff[row.awaiting]++;
    if (row.flaggedAt !== null && row.advisorRepliedAt !== null && row.advisorRepliedAt >= row.flaggedAt) {
      waits.push((row.advisorRepliedAt - row.flaggedAt) / 60_000);
    }
    const day = perDay[dayIndex(starts, row.createdAt)];
    if (day === undefined) continue;
    day.started++;
    if (row.verdict !== null) day.verdict++;
    if (row.flags.length > 0) day.flagged++;
  }
  const middle = median(waits);
  return {
    funnel,
    verdicts,
    flags,
    dropOff,
    medianMinutesToAdvisorReply: middle === null ? null : Math.round(middle * 10) / 10,
    days: perDay,
  };
}
