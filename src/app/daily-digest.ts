import { addDays, type Calendar } from '../core/calendar.js';
import type { Flow } from '../core/flow.js';
import type { ConversationStore, PipelineStore } from '../core/ports.js';
import { renderDigest } from '../core/render-digest.js';
import type { Advisor } from '../core/render-reply.js';

/** Where the digest goes (ADVISOR_DIGEST) and when (ADVISOR_DIGEST_HOUR, in PJ's zone). */
interface DigestSettings {
  via: 'sms' | 'slack';
  /** His number (ADVISOR_NOTIFY_SMS) or the handoff channel (SLACK_HANDOFF_CHANNEL). */
  to: string;
  hour: number;
}

interface DigestDeps {
  store: PipelineStore & Pick<ConversationStore, 'list'>;
  calendar: Calendar;
  settings: DigestSettings;
  flow: Flow;
  advisor: Advisor;
  now: () => number;
  log: { info(obj: object, msg: string): void };
}

export interface DailyDigest {
  /** Queues yesterday's digest once its hour has come; resolves to whether this call queued it. */
  tick(): Promise<boolean>;
}

/**
 * PJ's daily digest of the day before, queued through the outbox from the digest hour on. The
 * store's key per day makes it once-only across restarts and instances; this instance remembers
 * the last day it saw settled so it asks the store once a day, not every tick.
 */
export function createDailyDigest(deps: DigestDeps): DailyDigest {
  const { store, calendar, settings } = deps;
  let settled: string | null = null;
  return {
    async tick() {
      const now = deps.now();
      const today = calendar.dayOf(now);
      const day = addDays(today, -1);
      if (settled === day || calendar.hourOf(now) < settings.hour) return false;
      const [rows, waiting] = await Promise.all([
        store.listPipeline({ createdFrom: calendar.startOf(day), createdBefore: calendar.startOf(today) }),
        store.list({ status: 'waiting' }),
      ]);
      const text = renderDigest(day, rows, waiting, deps.flow, deps.advisor);
      const destination = { kind: 'digest' as const, via: settings.via, to: settings.to };
      const queued = await store.enqueueDigest(
        day,
        [{ destination, payload: { type: 'text', text, author: 'bot' } }],
        now,
      );
      settled = day;
      if (queued)
        deps.log.info(
          { day, via: settings.via, conversations: rows.length, waiting: waiting.length },
          'daily digest queued for PJ',
        );
      return queued;
    },
  };
}
