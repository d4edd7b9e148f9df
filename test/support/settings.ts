import type { BotSettings, HandoffSettings } from '../../src/core/bot-settings.js';
import { ADVISOR } from './copy.js';
import { shippedFlows } from './flows.js';

const MINUTE = 60_000;

/** What a test changes of the settings; `handoff` is merged field by field. */
export type SettingsChanges = Omit<Partial<BotSettings>, 'handoff'> & { handoff?: Partial<HandoffSettings> };

/**
 * The settings the use cases run with, as compose builds them from no variables at all: the
 * shipped flows, PJ as the advisor, Twilio answering the carrier keywords, no phone or desk for
 * handoffs, 4 h until an idle takeover is handed back and 30 min until PJ is reminded.
 */
export function botSettings(changes: SettingsChanges = {}): BotSettings {
  const { handoff, ...rest } = changes;
  return {
    ...shippedFlows(),
    advisor: ADVISOR,
    botAnswersKeywords: false,
    ...rest,
    handoff: { notifySms: null, desk: false, idleMs: 240 * MINUTE, remindMs: 30 * MINUTE, ...handoff },
  };
}
