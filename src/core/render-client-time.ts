import { CHANNELS } from './channels.js';
import {
  clientZones,
  DEFAULT_QUIET_HOURS,
  localTimeText,
  quietUntil,
  type QuietHours,
  type ZoneSource,
} from './client-time.js';
import type { ConversationRecord } from './conversation.js';
import type { Flow } from './flow.js';
import { fillCopy, type Advisor } from './render-reply.js';

/** A client's local time as PJ's surfaces show it. */
export interface ClientTimeView {
  /** The zone shown: the main one of the client's zones. */
  timeZone: string;
  source: ZoneSource;
  /** Outside the window (QUIET_HOURS, or 8-21 when it is off) in any of the client's zones. */
  night: boolean;
  /** What it is, for PJ: "Client's time". */
  label: string;
  /** e.g. "11:42 PM CST (America/Chicago): night there. The bot's texts wait until 8:00 AM CST; yours go at once." */
  text: string;
}

/** What says where a client is and when the bot may text them. */
export interface ClientClock {
  /** QUIET_HOURS, when the bot holds its texts for the client's night; null: it does not. */
  quietHours: QuietHours | null;
  /** TZ: the client's zone when their number does not say. */
  advisorTimeZone: string;
}

/**
 * The client's local time at `at` for PJ, and whether it is night there; null on a channel with
 * no quiet hours (Slack, the web chat), where the bot knows no local time.
 */
export function renderClientTime(
  client: Pick<ConversationRecord, 'channel' | 'participant' | 'region'>,
  clock: ClientClock,
  at: number,
  flow: Flow,
  advisor: Advisor,
): ClientTimeView | null {
  if (CHANNELS[client.channel].quietHours !== 'phone') return null;
  const { zones, source } = clientZones(client.participant, client.region, clock.advisorTimeZone);
  const timeZone = zones[0] ?? clock.advisorTimeZone;
  const opens = quietUntil(zones, clock.quietHours ?? DEFAULT_QUIET_HOURS, at);
  const t = flow.clientTime;
  const zone = source === 'advisor' ? fillCopy(t.assumed, advisor, { zone: timeZone }) : timeZone;
  const time = localTimeText(timeZone, at);
  const text =
    opens === null
      ? fillCopy(t.day, advisor, { time, zone })
      : clock.quietHours === null
        ? fillCopy(t.nightNoHold, advisor, { time, zone })
        : fillCopy(t.night, advisor, { time, zone, opens: localTimeText(timeZone, opens) });
  return { timeZone, source, night: opens !== null, label: fillCopy(t.label, advisor), text };
}
