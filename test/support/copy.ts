import type { Flow } from '../../src/core/flow.js';
import { fillCopy, type Advisor } from '../../src/core/render-reply.js';
import { shippedFlows } from './flows.js';

/** The shipped flows/main.yaml, loaded the way the app loads it. */
export const flow: Flow = shippedFlows().flow;

/** The advisor the tests run with: ADVISOR_NAME and ADVISOR_PHONE as they default. */
export const ADVISOR: Advisor = { name: 'PJ', phone: '+18584618054' };

/**
 * A text of flows/main.yaml as a person reads it, `vars` and the advisor filled in: tests say
 * which words are sent, never the words themselves.
 */
export function copy(text: string, vars: Record<string, string | number> = {}, advisor: Advisor = ADVISOR): string {
  return fillCopy(
    text,
    advisor,
    Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, String(value)])),
  );
}

/** Who did it, as notices and the transcript name PJ on one of his surfaces. */
export const by = (surface: 'sms' | 'slack' | 'console'): string => copy(flow.advisor.by, { surface });
