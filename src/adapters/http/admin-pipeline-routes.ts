import { Router, type Response } from "express";
import type { Calendar } from "../../core/calendar.js";
import type { Logger } from "../../core/logger.js";
import { countPipeline } from "../../core/pipeline.js";
import type { PipelineStore } from "../../core/ports.js";
import { renderLeadsCsv } from "./leads-csv.js";
import { parsePeriod, type Period } from "./pipeline-query.js";

interface AdminPipelineOptions {
  store: PipelineStore;
  /** Days as the advisor counts them (TZ). */
  calendar: Calendar;
  now: () => number;
  logger: Logger;
  /** The rules this bot decides with (a hash of flows/ and the advice code), shown with the stats. */
  rulesVersion: string | null;
}

/**
 * PJ's pipeline on the admin API, behind its token (the admin router mounts it; every /admin
 * response carries the admin headers, admin-headers.ts): the funnel and
 * the lead list (JSON or CSV) for a period of his days.
 */
export function createAdminPipelineRouter(
  options: AdminPipelineOptions,
): Router {
  const { store, calendar, now, logger } = options;
  const router = Router();

  /** The period the query asks for, or a 400 saying what is wrong with it. */
  function period(query: unknown, res: Response): Period | null {
    const parsed = parsePeriod(query, calendar, now());
    if (parsed.ok) return parsed.period;
    logger.warn(
      { reason: parsed.message },
      "rejected pipeline request: use from=YYYY-MM-DD&to=YYYY-MM-DD&channel=",
    );
    res.status(400).json({ error: "bad_query", message: parsed.message });
    return null;
  }

  router.get("/stats", async (req, res) => {
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

  router.get("/leads", async (req, res) => {
    const p = period(req.query, res);
    if (p === null) return;
    const leads = (await store.listPipeline(p.query)).map(
      ({ basis, ...lead }) => ({
        ...lead,
        rulesVersion: basis?.rulesVersion ?? null,
      }),
    );
    res.json({ from: p.from, to: p.to, channel: p.channel, leads });
  });

  router.get("/leads.csv", async (req, res) => {
    const p = period(req.query, res);
    if (p === null) return;
    const rows = await store.listPipeline(p.query);
    logger.info(
      { from: p.from, to: p.to, rows: rows.length },
      "lead list exported as CSV",
    );
    res
      .type("text/csv; charset=utf-8")
      .attachment(
        `leads-${p.from}-to-${p.to}${p.channel === null ? "" : `-${p.channel}`}.csv`,
      )
      .send(renderLeadsCsv(rows, calendar));
  });

  return router;
}
