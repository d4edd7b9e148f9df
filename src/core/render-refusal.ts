import type { Refusal } from './driving-ports.js';
import type { Flow } from './flow.js';
import { fillCopy, type Advisor } from './render-reply.js';

/** Why PJ's action on conversation `id` did nothing, in the same words on every surface. */
export function renderRefusal(refusal: Refusal, id: number, flow: Flow, advisor: Advisor): string {
  return fillCopy(flow.advisor.refused[refusal], advisor, { id: String(id) });
}
