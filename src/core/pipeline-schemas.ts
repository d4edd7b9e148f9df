import { z } from 'zod';
import type { ReasonKey } from './advise.js';
import { REVIEW_LABELS, type VerdictBasis, type VerdictReview } from './pipeline.js';

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
