import type { ConversationContext, ConversationEvent } from './conversation-machine.js';
import type { Language } from './languages.js';
import type { Reading } from './reading.js';

type WroteIn = Extract<ConversationEvent, { type: 'user.wroteIn' }>;

/**
 * What one text says about the client's language, as the event that notes it (null: nothing new).
 * Asking for a language ("en español", "English please") sets it, at any point. Otherwise only
 * texts before the language is settled count: the detector's verdict on a text long enough to
 * tell settles it, unless the text's cue words ("hola", "para"; "the", "we") say otherwise, which
 * sets it for now; cue words alone ("hola", "thanks") set it for now too.
 */
export function chooseLanguage(
  context: Pick<ConversationContext, 'language' | 'languageSettled'>,
  reading: Pick<Reading, 'languageAsked' | 'languageCue'>,
  detected: Language | null,
): WroteIn | null {
  const wroteIn = (language: Language, settled: boolean): WroteIn | null =>
    language === context.language && settled === context.languageSettled
      ? null
      : { type: 'user.wroteIn', language, settled };
  if (reading.languageAsked !== null) return wroteIn(reading.languageAsked, true);
  if (context.languageSettled) return null;
  const cue = reading.languageCue;
  if (detected !== null) return cue === null || cue === detected ? wroteIn(detected, true) : wroteIn(cue, false);
  return cue === null ? null : wroteIn(cue, false);
}
