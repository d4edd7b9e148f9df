import type { BotSettings } from '../core/bot-settings.js';
import { CHANNELS } from '../core/channels.js';
import { chooseLanguage } from '../core/choose-language.js';
import type { ConversationEvent, Say } from '../core/conversation-machine.js';
import type { InboundMessage } from '../core/conversation.js';
import { interpret } from '../core/interpret.js';
import type { Language } from '../core/languages.js';
import { flowIn } from '../core/localize-flow.js';
import { mediaKind } from '../core/media.js';
import type { AdvisorNotice, Decision, SavedConversation, TranscriptNote } from '../core/ports.js';
import type { Facts, Reading } from '../core/reading.js';
import { renderReply } from '../core/render-reply.js';
import { persist, reviveForSender, stepConversation, type Snapshot } from '../core/step-conversation.js';
import { placeOf, summarizeConversation } from '../core/summarize-conversation.js';
import { applyEvent, decisionOf, fanOut, involvesAdvisor } from './apply-event.js';
import { dropHeldTexts } from './quiet-hours.js';

/** The facts of a reading, as the machine keeps them. */
function factsOf(reading: Reading): Facts {
  const {
    product,
    productQuote,
    asker,
    askerQuote,
    request,
    requestQuote,
    buyer,
    correction,
    addition,
    international,
  } = reading;
  return {
    product,
    productQuote,
    asker,
    askerQuote,
    request,
    requestQuote,
    buyer,
    correction,
    addition,
    international,
  };
}

/** "stop" on the message's channel: an opt-out, or the polite end of the conversation. */
function stopEvent(reading: Reading, message: InboundMessage, quiet: boolean): ConversationEvent {
  const { stop } = CHANNELS[message.channel];
  switch (stop) {
    case 'optOut':
      return { type: 'user.optedOut', quiet: reading.intent === 'optOutKeyword' && quiet };
    case 'end':
      return { type: 'user.ended' };
    default: {
      const _never: never = stop;
      return _never;
    }
  }
}

/** START on the message's channel: back in after an opt-out, or just hello where stop only ends. */
function startEvent(message: InboundMessage, quiet: boolean): ConversationEvent {
  const { stop } = CHANNELS[message.channel];
  const at = message.receivedAt;
  switch (stop) {
    case 'optOut':
      return { type: 'user.optedIn', quiet, at };
    case 'end':
      return { type: 'user.greeted', at };
    default: {
      const _never: never = stop;
      return _never;
    }
  }
}

/**
 * Maps what a text means to the one event the conversation reacts to. STOP, START and HELP are
 * quiet where they are carrier keywords and `carrierAnswers` says the carrier already replied.
 */
function toEvent(reading: Reading, message: InboundMessage, carrierAnswers: boolean): ConversationEvent {
  const quiet = CHANNELS[message.channel].carrierKeywords && carrierAnswers;
  const at = message.receivedAt;
  if (message.command === 'restart') return { type: 'user.restarted' };
  // A picture without words says nothing to read: acknowledged, never a failed answer.
  if (message.media !== undefined && message.text.trim() === '')
    return { type: 'user.sentMedia', at, kind: mediaKind(message.media) };
  if (message.command === 'human') return { type: 'user.askedForHuman', at };
  switch (reading.intent) {
    case 'optOutKeyword':
    case 'optOut':
      return stopEvent(reading, message, quiet);
    case 'optInKeyword':
      return startEvent(message, quiet);
    case 'helpKeyword':
    case 'help':
      return { type: 'user.askedHelp', quiet: reading.intent === 'helpKeyword' && quiet };
    case 'restart':
      return { type: 'user.restarted' };
    case 'human':
      return { type: 'user.askedForHuman', at };
    case 'cost':
      return { type: 'user.askedCost', at };
    case 'greeting':
      return { type: 'user.greeted', at };
    case 'acknowledgement':
      return { type: 'user.acknowledged', at };
    case 'language':
      return { type: 'user.switchedLanguage', at };
    case 'answer':
      return {
        type: 'user.answered',
        at,
        text: message.text.trim(),
        facts: factsOf(reading),
        topics: reading.topics,
        content: reading.content,
        question: reading.question,
        quote: reading.textQuote,
      };
  }
}

/** A caption that leaves: no promise that PJ will look. */
const LEAVING: ReadonlySet<ConversationEvent['type']> = new Set(['user.optedOut', 'user.ended']);

/**
 * A caption is read as usual; what it came with is acknowledged first, in the same text, when
 * the bot says anything at all (never while PJ has the conversation) and the client is not leaving.
 */
function withMediaAck(says: Say[], message: InboundMessage, event: ConversationEvent): Say[] {
  if (message.media === undefined || event.type === 'user.sentMedia' || LEAVING.has(event.type) || says.length === 0)
    return says;
  return [{ message: 'mediaAck', kind: mediaKind(message.media) }, ...says];
}

/** The conversation as the client found it: one not started yet is in the language they were shown. */
function startsIn(snapshot: Snapshot, hint: Language | undefined): Snapshot {
  const { language, languageSettled } = snapshot.context;
  if (hint === undefined || hint === language || languageSettled || placeOf(snapshot).open !== 'fresh') return snapshot;
  return stepConversation(snapshot, { type: 'user.wroteIn', language: hint, settled: false }).next;
}

/** A decision plus what the bot says, for channels that render more than text (Slack buttons). */
export interface InboundDecision extends Decision {
  says: Say[];
  /** The language the conversation is in after this text: what `says` are to be worded in. */
  language: Language;
}

/** Said in the transcript when a sender starts opted out because their opt-out outlived their conversation. */
const keptOptOutNote: TranscriptNote = {
  direction: 'event',
  author: 'bot',
  text: 'this sender opted out earlier (kept after that conversation was removed): nothing is sent until they opt back in',
};

/**
 * Applies one user text to the saved conversation: pure, so the store can run it in a
 * transaction. `optedOut`: the sender's opt-out is kept (Retention), which matters when nothing
 * usable is saved; asked only then (a store reads it lazily, see Decide).
 */
export function decideInbound(
  settings: BotSettings,
  message: InboundMessage,
  saved: SavedConversation | null,
  optedOut: () => boolean = () => false,
): InboundDecision {
  const { snapshot, startsOptedOut } = reviveForSender(saved, optedOut);
  const notes = startsOptedOut ? [keptOptOutNote] : [];
  const before = summarizeConversation(snapshot);
  // A conversation not started yet would ask what the product does first: the web chat shows that
  // question, with its buttons, before anyone writes.
  const awaiting = snapshot.context.awaiting ?? (placeOf(snapshot).open === 'fresh' ? 'product' : null);
  // A choice clicked on an old question is kept in the transcript but changes nothing.
  if (message.answers !== undefined && message.answers !== awaiting) {
    return { ...persist(snapshot), summary: before, replies: [], says: [], language: snapshot.context.language };
  }
  // A conversation not started yet starts in the language the client was shown (the web chat
  // panel's), unsettled: their own words still decide.
  const shown = startsIn(snapshot, message.languageHint);
  // Typed words in a fresh conversation are read as a first text, not as an answer to a question.
  // Detecting the language is a fair share of a text's cost: once the conversation's language is
  // settled it only tells whether unknown words say something, so it runs when reading needs it.
  let detected: { language: Language | null } | undefined;
  const detect = (): Language | null =>
    (detected ??= { language: settings.detectLanguage?.(message.text) ?? null }).language;
  const reading = interpret(
    message.text,
    settings.lexicon,
    message.answers ?? snapshot.context.awaiting,
    snapshot.context.lastAsked,
    {
      writtenIn: shown.context.languageSettled ? detect : detect(),
      language: shown.context.language,
    },
  );
  // The language is noted first, so whatever the text makes the bot say is in it.
  // Once settled, only a language asked for counts: the detector's verdict is not read.
  const spoken = chooseLanguage(shown.context, reading, shown.context.languageSettled ? null : detect());
  const current = spoken === null ? shown : stepConversation(shown, spoken).next;
  const event = toEvent(reading, message, !settings.botAnswersKeywords);
  const applied = applyEvent(settings, current, event, message.receivedAt);
  const { language } = applied.next.context;
  const says = withMediaAck(applied.says, message, event);
  const reply = renderReply(says, flowIn(settings, language), settings.advisor, message.channel);
  // Once PJ was asked in, he sees everything the client writes, wherever he is.
  const seen: AdvisorNotice = {
    kind: 'clientMessage',
    text: message.text,
    ...(message.media && { media: message.media }),
  };
  const mirror = involvesAdvisor(before) ? fanOut(seen, settings.handoff) : [];
  // The client wrote: a text held for their night no longer fits (this turn has its own reply).
  const dropped = dropHeldTexts(settings, saved, 'clientWrote');
  return {
    ...decisionOf(applied, {
      replies: reply === null ? [] : [reply],
      notes: [...notes, ...dropped.notes],
      before: mirror,
    }),
    ...(dropped.dropHeld.length > 0 && { dropHeld: dropped.dropHeld }),
    says,
    language,
  };
}
