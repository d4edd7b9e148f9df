import { z } from 'zod';
import type { ReasonKey } from './advise.js';
import { CHANNEL_IDS } from './channels.js';
import { FLAG_REASONS, REVIEW_LABELS, type PipelineRow, type VerdictBasis, type VerdictReview } from './pipeline.js';

// The shapes the stores keep a verdict's basis and PJ's review in (JSON columns), checked on the
// way out like every other row.

const REASONS = [
  'soc1.product',
  'soc1.asker',
  'soc1.productAndAsker',
  'soc2.product',
  'soc2.asker',
  'both.product',
  'both.asker',
  'requested',
  'buyer.soc1',
  'buyer.soc2',
  'buyer.both',
] as const satisfies readonly ReasonKey[];

export const VerdictBasisSchema = z.object({
  reason: z.enum([...REASONS, 'conflict']),
  concepts: z.array(z.string()),
  rulesVersion: z.string().nullable(),
}) satisfies z.ZodType<VerdictBasis>;

export const VerdictReviewSchema = z.object({
  verdict: z.enum(REVIEW_LABELS),
  note: z.string(),
  at: z.number().int(),
  botLabel: z.enum([...REVIEW_LABELS, 'none']),
  rulesVersion: z.string().nullable(),
}) satisfies z.ZodType<VerdictReview>;

/** A pipeline row's own columns, checked on the way out of either store (JSON columns apart). */
export const pipelineColumnsShape = {
  id: z.number().int(),
  channel: z.enum(CHANNEL_IDS),
  participant: z.string(),
  status: z.enum(['bot', 'waiting', 'human', 'closed', 'opted_out']),
  awaiting: z.enum(['product', 'asker']).nullable(),
  verdict: z.enum(['soc1', 'soc2', 'both']).nullable(),
  side: z.enum(['client', 'buyer']),
  created_at: z.number().int(),
  updated_at: z.number().int(),
  flagged_at: z.number().int().nullable(),
  advisor_replied_at: z.number().int().nullable(),
};

const AnswersSchema = z.object({ product: z.string().nullable(), asker: z.string().nullable() });
const FlagsSchema = z.array(z.enum(FLAG_REASONS));

/** The columns a pipeline row is read from. */
export const PIPELINE_COLUMNS =
  'id, channel, participant, status, awaiting, answers, verdict, side, flags, created_at, updated_at, flagged_at, advisor_replied_at, verdict_basis, review';

/** A row as the pipeline counts it, from its columns and its JSON values (already parsed). */
export function toPipelineRow(
  r: z.infer<z.ZodObject<typeof pipelineColumnsShape>>,
  json: { answers: unknown; flags: unknown; basis: unknown; review: unknown },
): PipelineRow {
  return {
    id: r.id,
    channel: r.channel,
    participant: r.participant,
    status: r.status,
    awaiting: r.awaiting,
    answers: AnswersSchema.parse(json.answers),
    verdict: r.verdict,
    side: r.side,
    flags: FlagsSchema.parse(json.flags),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    flaggedAt: r.flagged_at,
    advisorRepliedAt: r.advisor_replied_at,
    basis: json.basis === null ? null : VerdictBasisSchema.parse(json.basis),
    review: json.review === null ? null : VerdictReviewSchema.parse(json.review),
  };
}
