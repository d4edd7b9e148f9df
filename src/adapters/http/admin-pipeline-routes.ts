import express, { Router, type Response } from 'express';
import { z } from 'zod';
import type { Calendar } from '../../core/calendar.js';
import type { Logger } from '../../core/logger.js';
import { countPipeline, REVIEW_LABELS } from '../../core/pipeline.js';
import type { PipelineStore } from '../../core/ports.js';
import { toReviewCase } from '../../core/review-export.js';
import { parseConversationId } from './admin-id.js';
import { renderLeadsCsv } from './leads-csv.js';
import { parsePeriod, type Period } from './pipeline-query.js';

interface AdminPipelineOptions {
  store: PipelineStore;
  /** Days as the advisor counts them (TZ). */
  calendar: Calendar;
  now: () => number;
  logger: Logger;
  /** The rules this bot decides with (a hash of flows/ and the advice code), shown with the stats. */
  rulesVersion: string | null;
}

/** PJ's review notes stay short: a line or two on why. */
const MAX_NOTE = 2000;

const ReviewBody = z.strictObject({
  verdict: z.enum(REVIEW_LABELS),
  note: z.string().max(MAX_NOTE, `must be at most ${MAX_NOTE} characters`).optional(),
});

/**
 * PJ's pipeline on the admin API, behind its token (the admin router mounts it; every /admin
 * response carries the admin headers, admin-headers.ts): the funnel and
 * the lead list for a period of his days, his verdict reviews, and their export as eval cases.
 */
export function createAdminPipelineRouter(options: AdminPipelineOptions): Router {
  const { store, calendar, now, logger } = options;
  const router = Router();

  /** The period the query asks for, or a 400 saying what is wrong with it. */
  function period(query: unknown, res: Response): Period | null {
    const parsed = parsePeriod(query, calendar, now());
    if (parsed.ok) return parsed.period;
    logger.warn({ reason: parsed.message }, 'rejected pipeline request: use from=YYYY-MM-DD&to=YYYY-MM-DD&channel=');
    res.status(400).json({ error: 'bad_query', message: parsed.message });
    return null;
  }

  router.get('/stats', async (req, res) => {
    const p = period(req.query, res);
    if (p === null) return;
    const rows = await store.listPipeline(p.query);
    const stats = countPipeline(rows, p.days, now());
    res.json({
      from: p.from,
      to: p.to,
      channel: p.channel,
      timeZone: calendar.timeZone,
      rulesVersion: options.rulesVersion,
      ...stats,
    });
  });

  router.get('/leads', async (req, res) => {
    const p = period(req.query, res);
    if (p === null) return;
    const leads = (await store.listPipeline(p.query)).map(({ basis, ...lead }) => ({
      ...lead,
      rulesVersion: basis?.rulesVersion ?? null,
    }));
    res.json({ from: p.from, to: p.to, channel: p.channel, leads });
  });

  router.get('/leads.csv', async (req, res) => {
    const p = period(req.query, res);
    if (p === null) return;
    const rows = await store.listPipeline(p.query);
    logger.info({ from: p.from, to: p.to, rows: rows.length }, 'lead list exported as CSV');
    res
      .type('text/csv; charset=utf-8')
      .attachment(`leads-${p.from}-to-${p.to}${p.channel === null ? '' : `-${p.channel}`}.csv`)
      .send(renderLeadsCsv(rows, calendar));
  });

  router.post('/conversations/:id/review', express.json({ limit: '16kb' }), async (req, res) => {
    const raw = typeof req.params.id === 'string' ? req.params.id : '';
    const id = parseConversationId(raw);
    const body = ReviewBody.safeParse(req.body);
    if (!body.success) {
      logger.warn(
        { conversationId: id },
        'rejected review: send {"verdict": "soc1"|"soc2"|"both"|"flagged", "note": "..."}',
      );
      res.status(400).json({ error: 'bad_body', message: z.prettifyError(body.error) });
      return;
    }
    const review =
      id === null
        ? null
        : await store.reviewVerdict(id, { verdict: body.data.verdict, note: body.data.note?.trim() ?? '', at: now() });
    if (review === null) {
      logger.warn({ id: raw }, 'review refused: no such conversation; check the id in GET /admin/api/conversations');
      res.status(404).json({ error: 'not_found', message: `no conversation with id ${raw}` });
      return;
    }
    logger.info(
      { conversationId: id, verdict: review.verdict, botLabel: review.botLabel, rulesVersion: review.rulesVersion },
      'verdict reviewed',
    );
    res.json({
      id,
      review: { verdict: review.verdict, note: review.note, at: new Date(review.at).toISOString() },
      botLabel: review.botLabel,
      rulesVersion: review.rulesVersion,
    });
  });

  router.get('/reviews.json', async (_req, res) => {
    const cases = (await store.listReviewed()).map(toReviewCase).filter((c) => c !== null);
    logger.info({ reviews: cases.length }, 'reviews exported as eval cases');
    res.attachment('reviews.json').json(cases);
  });

  return router;
}
