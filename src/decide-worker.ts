// The decide thread's entry point (issue 11): decideInbound, off the main thread, on the settings
// compose built, handed over as data (the flows as loaded, not read again: the YAML parser would
// cost the thread tens of MiB; and the language detector, a function, made again here: the same
// detector on the same table, so it reads every text as the main thread's).
// Each batch is answered in order, null where a text could not be decided here: the main thread
// then decides it itself, in its transaction, as it always could.
import { parentPort, workerData } from 'node:worker_threads';
import { createLanguageDetector } from './adapters/flow-files/detect-language.js';
import type { BatchAnswer, BatchRequest } from './adapters/threads/batch-thread.js';
import { decideInbound, type InboundDecision } from './app/decide-inbound.js';
import type { BotSettings } from './core/bot-settings.js';
import type { InboundMessage } from './core/conversation.js';
import type { SavedConversation } from './core/ports.js';
import { packSnapshot, type Packed } from './core/snapshot-text.js';

/** What the main thread hands over: a text and what the peek read for it (decide-ahead.ts). */
export type DecideInput = [message: InboundMessage, saved: SavedConversation | null, optedOut: boolean | null];

/**
 * A decision as it goes back: its snapshot as JSON text, which the store writes as it is
 * (snapshot-text.ts): the main thread neither reads the object graph out of the message nor
 * stringifies it again.
 */
export type DecideOutput = Packed<InboundDecision>;

/** Thrown when a decide needs the kept opt-out the peek did not read: that text is decided on the main thread. */
class OptOutUnread extends Error {}

/** The settings as data: the flows as loaded, and whether to detect languages (a function does not cross). */
export interface DecideWorkerData {
  settings: Omit<BotSettings, 'detectLanguage' | 'flow' | 'lexicon' | 'translations'>;
  flows: Pick<BotSettings, 'flow' | 'lexicon' | 'translations'>;
  /** Whether the main thread's settings had a detector (compose's always do). */
  detects: boolean;
}

const data = workerData as DecideWorkerData;
const settings: BotSettings = {
  ...data.settings,
  ...data.flows,
  ...(data.detects && { detectLanguage: createLanguageDetector() }),
};

function decide([message, saved, optedOut]: DecideInput): DecideOutput | null {
  try {
    const decision = decideInbound(settings, message, saved, () => {
      if (optedOut === null) throw new OptOutUnread();
      return optedOut;
    });
    return packSnapshot(decision);
  } catch {
    // A decide that throws here throws on the main thread too, where the error is reported.
    return null;
  }
}

parentPort?.on('message', ({ id, inputs }: BatchRequest<DecideInput>) => {
  // Filled by push, not map: once optimized, map returns a holey array, which the structured clone
  // writes and the main thread reads element by element as a sparse one (issue 11).
  const outputs: Array<DecideOutput | null> = [];
  for (const input of inputs) outputs.push(decide(input));
  parentPort?.postMessage({ id, outputs } satisfies BatchAnswer<DecideOutput>);
});
