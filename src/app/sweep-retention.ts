import type { Logger } from '../core/logger.js';
import type { Retention } from '../core/ports.js';
import type { RemovedCounts } from '../core/retention.js';

const DAY_MS = 24 * 60 * 60_000;

/** How long processed inbound ids, PJ's command log and sent or failed outbox rows are kept. */
const LOG_RETENTION_DAYS = 30;

interface RetentionSweepDeps {
  store: Pick<Retention, 'sweepRetention'>;
  /** RETENTION_DAYS: closed and opted-out conversations untouched this long go. */
  retentionDays: number;
  now: () => number;
  log: Pick<Logger, 'info'>;
}

/**
 * One retention sweep: removes what is past its time (see Retention.sweepRetention) and logs
 * how many of each kind went. Opt-outs stay, so a number that opted out is never texted again.
 */
export function createRetentionSweep(deps: RetentionSweepDeps): () => Promise<RemovedCounts> {
  const { store, retentionDays, now, log } = deps;
  return async () => {
    const at = now();
    const removed = await store.sweepRetention({
      conversationsBefore: at - retentionDays * DAY_MS,
      logsBefore: at - LOG_RETENTION_DAYS * DAY_MS,
    });
    log.info(
      { removed, retentionDays, logRetentionDays: LOG_RETENTION_DAYS },
      `retention sweep: removed ${removed.conversations} conversation(s) closed or opted out over ${retentionDays} days ago, ` +
        `and records over ${LOG_RETENTION_DAYS} days old`,
    );
    return removed;
  };
}
