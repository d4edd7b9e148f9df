import type { BotSettings } from '../core/bot-settings.js';
import { CHANNELS } from '../core/channels.js';
import { clientZones, localTimeText, quietUntil } from '../core/client-time.js';
import type { ConversationRecord } from '../core/conversation.js';
import type { OutboxDraft, SavedConversation, TranscriptNote } from '../core/ports.js';
import { fillCopy } from '../core/render-reply.js';

/** Where a conversation's client is, as far as their clock goes. */
type Client = Pick<ConversationRecord, 'channel' | 'participant' | 'region'>;

/** Why held texts are dropped: the conversation moved on, so they no longer fit. */
export type HeldDropReason = 'clientWrote' | 'advisorReplied' | 'closed' | 'replaced';

/** What a decision adds to drop held texts or hold a new one. */
interface HeldChange {
  notes: TranscriptNote[];
  dropHeld: number[];
}

/**
 * When a text the bot starts at `now` may reach this client: null when it may go at once (day
 * there, a channel without quiet hours, or quiet hours off), else when their window opens.
 */
export function heldUntil(settings: BotSettings, client: Client, now: number): number | null {
  const clock = settings.clientTime;
  if (clock === undefined || clock.quietHours === null || CHANNELS[client.channel].quietHours !== 'phone') return null;
  const { zones } = clientZones(client.participant, client.region, clock.advisorTimeZone);
  return quietUntil(zones, clock.quietHours, now);
}

/** Every text still held for the conversation's client, dropped unsent, each with a transcript note saying why. */
export function dropHeldTexts(
  settings: BotSettings,
  saved: SavedConversation | null,
  reason: HeldDropReason,
): HeldChange {
  const held = saved?.held ?? [];
  const { flow, advisor } = settings;
  const why = fillCopy(flow.transcript.heldReasons[reason], advisor);
  return {
    notes: held.map((text) => ({
      direction: 'event',
      author: 'bot',
      text: fillCopy(flow.transcript.heldDropped, advisor, { reason: why, text: text.text }),
    })),
    dropHeld: held.map((text) => text.id),
  };
}

/**
 * A text the bot starts (not a reply to the client's text: a holding text, a hand-back line) as
 * the transcript line and outbox item that send it: held until the client's window opens when it
 * is night there, with a note saying until when. Texts held before give way to it, so the client
 * never wakes to two.
 */
export function botTextToClient(
  settings: BotSettings,
  saved: SavedConversation & { record: Client },
  text: string | null,
  now: number,
): HeldChange & { outbox: OutboxDraft[] } {
  if (text === null) return { notes: [], dropHeld: [], outbox: [] };
  const replaced = dropHeldTexts(settings, saved, 'replaced');
  const until = heldUntil(settings, saved.record, now);
  const draft: OutboxDraft = {
    destination: { kind: 'client' },
    payload: { type: 'text', text, author: 'bot' },
    ...(until !== null && { notBefore: until }),
  };
  const notes: TranscriptNote[] = [...replaced.notes, { direction: 'out', author: 'bot', text }];
  if (until !== null) notes.push(heldNote(settings, saved.record, until));
  return { notes, dropHeld: replaced.dropHeld, outbox: [draft] };
}

function heldNote(settings: BotSettings, client: Client, until: number): TranscriptNote {
  const { flow, advisor, clientTime } = settings;
  const [zone] = clientZones(client.participant, client.region, clientTime?.advisorTimeZone ?? 'UTC').zones;
  const time = localTimeText(zone ?? 'UTC', until);
  return { direction: 'event', author: 'bot', text: fillCopy(flow.transcript.held, advisor, { time }) };
}
