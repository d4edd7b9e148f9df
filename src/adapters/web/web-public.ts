import type { WebEvent, WebLine } from '../../core/web-chat.js';

/** A stored line as the API shows it: nothing about other sessions, no internal ids. */
export function publicEvent(event: WebEvent): { id: number; at: string; from: WebEvent['from'] } & WebLine {
  return { id: event.id, at: new Date(event.at).toISOString(), from: event.from, ...event.line };
}
